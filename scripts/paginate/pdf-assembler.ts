/**
 * Where the PDF editions are put together: each edition's printed chunks
 * merged as they come (pdf-merge.ts) and the book finished with metadata,
 * bookmarks and print boxes (pdf-finish.ts), in one worker thread for the
 * build's editions. Merging and saving were most of the work left on Node's
 * main thread once the layout was done; in the worker they run on the other
 * core while the main thread packages the EPUB, writes the web edition and
 * answers Chromium, and the main thread never loads pdf-lib. One worker, not
 * one per edition: pdf-lib's code is slow until it is warm, and a second
 * worker would warm it up again (measured: each of two workers spent about a
 * second of CPU where one thread spent well under that for both editions).
 * The worker's side is pdf-assembler-worker.ts.
 *
 * A chunk's bytes move to the worker (transferred, not copied, when they
 * fill their own buffer): the caller must not read them after add(). A book
 * finished from chunks or from one document given to add() before is
 * finished from the worker's own (the caller's are empty by then).
 */
import { Worker } from 'node:worker_threads';
import type { IdOwner } from './chunks.ts';
import type { PageMap } from './paginate.ts';
import type { PdfMetadata } from './pdf-finish.ts';
import type { ChunkPdf } from './pdf-merge.ts';
import { workerEntry, workerExecArgv } from '../util/worker-entry.ts';

/** What the book is finished from. */
export type PrintedBook =
  /** One document printed whole. */
  | { kind: 'document'; bytes: Uint8Array }
  /** Every chunk already given to add(), in the book's order. */
  | { kind: 'merged'; owners: Map<string, IdOwner> }
  /** These chunks, merged afresh (those given to add() are left aside). */
  | { kind: 'chunks'; chunks: ChunkPdf[]; owners: Map<string, IdOwner> };

export interface FinishedPdf {
  bytes: Uint8Array;
  pages: number;
}

/** One edition being put together in the worker. */
export interface PdfAssembler {
  /** Merges chunk `c` of the book, in any order (ChunkMerger). */
  add(c: number, chunk: ChunkPdf): Promise<void>;
  finish(printed: PrintedBook, map: PageMap, meta: PdfMetadata, options: { print: boolean }): Promise<FinishedPdf>;
  /** Lets the worker forget an edition that will not be finished (its build failed). */
  drop(): void;
}

export interface PdfWorker {
  /** A new edition to put together. */
  assembler(): PdfAssembler;
  /** The worker has stopped (closed, or it failed): it takes nothing more. */
  readonly stopped: boolean;
  /** Stops the worker; what was not finished is dropped. */
  close(): Promise<void>;
}

/** A chunk, or the one given to add() as chunk `sent`, which the worker holds. */
export type ChunkOrSent = ChunkPdf | { sent: number };

/** A PrintedBook as it is sent: what the worker holds is named, not sent again. */
export type SentBook =
  | { kind: 'document'; bytes: Uint8Array | { sent: number } }
  | { kind: 'merged'; owners: Map<string, IdOwner> }
  | { kind: 'chunks'; chunks: ChunkOrSent[]; owners: Map<string, IdOwner> };

type Request =
  | { op: 'add'; c: number; chunk: ChunkPdf }
  | { op: 'finish'; printed: SentBook; map: PageMap; meta: PdfMetadata; print: boolean }
  | { op: 'drop' };
/** Numbered for its answer, and for the edition (`book`) it is about. */
export type AssemblerRequest = Request & { id: number; book: number };

export type AssemblerAnswer =
  | { id: number; ok: true; result?: FinishedPdf }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string } };

export function startPdfWorker(): PdfWorker {
  const entry = workerEntry(import.meta.url, './pdf-assembler-worker.ts', 'paginate/pdf-assembler-worker.js');
  const worker = new Worker(entry.code, { eval: entry.eval, execArgv: workerExecArgv() });
  const pending = new Map<number, { resolve: (value: AssemblerAnswer) => void; reject: (error: Error) => void }>();
  let next = 0;
  let books = 0;
  let stopped: Error | undefined;
  // Kept alive only while an answer is awaited: a build that fails elsewhere is never held up by an idle worker.
  worker.unref();
  const stop = (error: Error) => {
    stopped ??= error;
    for (const p of pending.values()) p.reject(stopped);
    pending.clear();
  };
  worker.on('message', (answer: AssemblerAnswer) => {
    const p = pending.get(answer.id);
    pending.delete(answer.id);
    if (!pending.size) worker.unref();
    p?.resolve(answer);
  });
  worker.on('error', (error) => stop(error instanceof Error ? error : new Error(String(error))));
  worker.on('exit', (code) => stop(new Error(`The worker that merges the PDF stopped (exit code ${code}).`)));
  const ask = async (book: number, request: Request, transfer: ArrayBuffer[] = []): Promise<FinishedPdf | undefined> => {
    if (stopped) throw stopped;
    const id = next++;
    const answer = new Promise<AssemblerAnswer>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.ref();
    worker.postMessage({ ...request, id, book }, transfer);
    const a = await answer;
    if (a.ok) return a.result;
    // The worker's error, with its own stack (which names our sources).
    const error = new Error(a.error.message);
    error.name = a.error.name;
    if (a.error.stack) error.stack = a.error.stack;
    throw error;
  };
  return {
    assembler: () => {
      const book = books++;
      // What each chunk given to add() was, to name it at the end instead of sending it again.
      const sent = new Map<number, ChunkPdf>();
      const named = (chunk: ChunkPdf): ChunkOrSent => {
        for (const [c, s] of sent) if (s === chunk) return { sent: c };
        return chunk;
      };
      const wire = (printed: PrintedBook): SentBook =>
        printed.kind === 'document'
          ? { kind: 'document', bytes: named(printed.bytes) as Uint8Array | { sent: number } }
          : printed.kind === 'chunks'
            ? { ...printed, chunks: printed.chunks.map(named) }
            : printed;
      return {
        add: async (c, chunk) => {
          sent.set(c, chunk);
          await ask(book, { op: 'add', c, chunk }, movable(chunk));
        },
        finish: async (printed, map, meta, options) => (await ask(book, { op: 'finish', printed: wire(printed), map, meta, print: options.print }))!,
        drop: () => void ask(book, { op: 'drop' }).catch(() => undefined),
      };
    },
    get stopped() {
      return Boolean(stopped);
    },
    close: async () => {
      stop(new Error('The PDF was closed before it was finished.'));
      await worker.terminate();
    },
  };
}

/**
 * The buffers of a chunk that can move to the worker: those its bytes fill.
 * A view into a larger buffer (Node's pool of small Buffers) is copied:
 * moving it would empty everything else in that buffer.
 */
function movable(chunk: ChunkPdf): ArrayBuffer[] {
  const views = chunk instanceof Uint8Array ? [chunk] : chunk.map((s) => s.bytes);
  const out = new Set<ArrayBuffer>();
  for (const v of views) if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
  return [...out];
}
