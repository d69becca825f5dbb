/**
 * The worker thread of pdf-assembler.ts: a ChunkMerger per edition, and its
 * finishing. Requests are taken in the order they come, as the merger wants.
 */
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ChunkMerger } from './pdf-merge.ts';
import { finishPdf } from './pdf-finish.ts';
import type { ChunkPdf } from './pdf-merge.ts';
import type { AssemblerAnswer, AssemblerRequest, ChunkOrSent, FinishedPdf, SentBook } from './pdf-assembler.ts';

if (!parentPort) throw new Error('pdf-assembler-worker.ts runs in a worker thread (pdf-assembler.ts starts it).');
const port = parentPort;
// Below Chromium and the main thread: a chunk merged early is not needed
// until the book is finished, while a page being made ready or laid out is
// (after an edit: 2.55 -> 2.42 s, median of 5 alternating runs). On Linux the
// priority is the thread's own; elsewhere it would be the whole process's.
if (process.platform === 'linux') {
  try {
    os.setPriority(0, 10);
  } catch {
    // A system that refuses leaves the worker as it is.
  }
}
/**
 * Each edition's merger, and every add it was given, so that a book finished
 * from the merge fails with a chunk it refused (the merger's queue goes on past one).
 */
const books = new Map<number, { merger: ChunkMerger; adds: Array<Promise<void>>; received: Map<number, ChunkPdf> }>();
const book = (id: number) => {
  let b = books.get(id);
  if (!b) books.set(id, (b = { merger: new ChunkMerger(), adds: [], received: new Map() }));
  return b;
};

const finish = async (printed: SentBook, request: Extract<AssemblerRequest, { op: 'finish' }>): Promise<FinishedPdf> => {
  const { merger, adds, received } = book(request.book);
  // The edition is done with here, whatever becomes of it.
  books.delete(request.book);
  const held = (chunk: ChunkOrSent): ChunkPdf => {
    if (!('sent' in chunk)) return chunk;
    const found = received.get(chunk.sent);
    if (!found) throw new Error(`Chunk ${chunk.sent + 1} was named but never given.`);
    return found;
  };
  if (printed.kind === 'merged') await Promise.all(adds);
  return finishPdf(
    printed.kind === 'document'
      ? (held(printed.bytes) as Uint8Array)
      : { chunks: printed.kind === 'chunks' ? printed.chunks.map(held) : [], owners: printed.owners, merged: printed.kind === 'merged' ? merger : undefined },
    request.map,
    request.meta,
    { print: request.print },
  );
};

port.on('message', (request: AssemblerRequest) => {
  let work: Promise<FinishedPdf | void>;
  try {
    // Called at once, not after an await: the merger queues adds in the order it is given them.
    if (request.op === 'add') {
      const { merger, adds, received } = book(request.book);
      received.set(request.c, request.chunk);
      adds.push((work = merger.add(request.c, request.chunk)));
    } else if (request.op === 'finish') work = finish(request.printed, request);
    else work = Promise.resolve(void books.delete(request.book));
  } catch (error) {
    work = Promise.reject(error);
  }
  work.then(
    (result) => {
      const answer: AssemblerAnswer = { id: request.id, ok: true, result: result ?? undefined };
      port.postMessage(answer, result ? [result.bytes.buffer as ArrayBuffer] : []);
    },
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      const answer: AssemblerAnswer = { id: request.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
      port.postMessage(answer);
    },
  );
});
