/**
 * The PDF worker (pdf-assembler.ts) gives the bytes the same merge and
 * finishing give on the main thread, keeps two editions apart, and reports
 * what the merge refused as the build's error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { startPdfWorker, type PdfWorker } from '../scripts/paginate/pdf-assembler.ts';
import { ChunkMerger } from '../scripts/paginate/pdf-merge.ts';
import { finishPdf, type PdfMetadata } from '../scripts/paginate/pdf-finish.ts';
import type { IdOwner } from '../scripts/paginate/chunks.ts';
import type { PageMap } from '../scripts/paginate/paginate.ts';
import { chunk, fourChunks } from './helpers/pdf-chunks.ts';

const OWNERS = new Map<string, IdOwner>([
  ['contents', { chunk: 0, page: 2 }],
  ['ch-1', { chunk: 1, page: 3 }],
  ['ch-2', { chunk: 2, page: 7 }],
  ['ch-3', { chunk: 3, page: 9 }],
]);

const META: PdfMetadata = { title: 'Книга · 书', authors: ['A. Author'], subject: 'S', keywords: ['k'], language: 'ru', date: new Date(Date.UTC(2020, 1, 3)), creator: 'Colophon' };

function pageMap(pageCount: number, bleed = 0): PageMap {
  const folios = Array.from({ length: pageCount }, (_, i) => String(i + 1));
  return {
    pageCount,
    pageStarts: folios.map(() => null),
    notesAway: [],
    lonelyLines: [],
    folios,
    width: 100,
    height: 200,
    bleed,
    chapterStarts: { 'ch-1': 4 },
    outline: [{ title: 'Глава 1', page: 1, top: 10, children: [{ title: '第一节', page: 2, top: 20, children: [] }] }],
  };
}

/** The same merge and finishing on this thread. */
async function inProcess(chunks: Uint8Array[], order: number[], map: PageMap, print: boolean): Promise<Uint8Array> {
  const merger = new ChunkMerger();
  await Promise.all(order.map((c) => merger.add(c, chunks[c])));
  return (await finishPdf({ chunks: [], owners: OWNERS, merged: merger }, map, META, { print })).bytes;
}

const copy = (bytes: Uint8Array) => new Uint8Array(bytes);

let worker: PdfWorker | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

describe('the PDF worker', () => {
  it('merges and finishes two editions at once, each as the main thread would, byte for byte', async () => {
    const screen = await fourChunks(true);
    const print = await fourChunks(false);
    // Computed first: the chunks move to the worker.
    const order = [2, 0, 3, 1];
    const screenReference = await inProcess(screen.map(copy), order, pageMap(14), false);
    const printReference = await inProcess(print.map(copy), order, pageMap(14, 12), true);
    worker = startPdfWorker();
    const a = worker.assembler();
    const b = worker.assembler();
    // Interleaved, out of order, as two editions' chunks come from Chromium.
    const adds = order.flatMap((c) => [a.add(c, screen[c]), b.add(c, print[c])]);
    const [screenPdf, printPdf] = await Promise.all([
      a.finish({ kind: 'merged', owners: OWNERS }, pageMap(14), META, { print: false }),
      b.finish({ kind: 'merged', owners: OWNERS }, pageMap(14, 12), META, { print: true }),
    ]);
    await Promise.all(adds);
    expect(screenPdf.pages).toBe(14);
    // The print edition has an even number of pages: 14 already.
    expect(printPdf.pages).toBe(14);
    expect(Buffer.from(screenPdf.bytes).equals(Buffer.from(screenReference))).toBe(true);
    expect(Buffer.from(printPdf.bytes).equals(Buffer.from(printReference))).toBe(true);
    // Moved, not copied.
    expect(screen.every((c) => c.byteLength === 0)).toBe(true);
    const doc = await PDFDocument.load(printPdf.bytes);
    expect(doc.getTitle()).toBe(META.title);
    expect(doc.getPages()[0].getTrimBox().x).toBeCloseTo(9);
  });

  it('finishes a book from chunks given at the end, or one document printed whole', async () => {
    const chunks = await fourChunks(true);
    worker = startPdfWorker();
    const fromChunks = await worker.assembler().finish({ kind: 'chunks', chunks, owners: OWNERS }, pageMap(14), META, { print: false });
    expect(Buffer.from(fromChunks.bytes).equals(Buffer.from(await inProcess(chunks, [0, 1, 2, 3], pageMap(14), false)))).toBe(true);
    const one = await chunk(0, 3, 'contents', 'ch-1', true);
    const document = await worker.assembler().finish({ kind: 'document', bytes: one }, pageMap(3), META, { print: true });
    // Three pages, and a blank fourth for the print edition.
    expect(document.pages).toBe(4);
    const reference = await finishPdf(one, pageMap(3), META, { print: true });
    expect(Buffer.from(document.bytes).equals(Buffer.from(reference.bytes))).toBe(true);
  });

  it('finishes from the chunks it holds a book whose numbers changed, and copies bytes that share a buffer', async () => {
    const chunks = await fourChunks(true);
    const reference = await inProcess(chunks.map(copy), [0, 1, 2, 3], pageMap(14), false);
    worker = startPdfWorker();
    const book = worker.assembler();
    // Chunk 1 is a view into a larger buffer (as Node's pooled Buffers are): it is copied and stays readable here.
    const pooled = new Uint8Array(chunks[1].byteLength + 16);
    pooled.set(chunks[1], 8);
    const view = pooled.subarray(8, 8 + chunks[1].byteLength);
    await Promise.all([book.add(0, chunks[0]), book.add(1, view), book.add(2, chunks[2])]);
    expect(chunks[0].byteLength).toBe(0);
    expect(view.byteLength).toBe(chunks[1].byteLength);
    // Chunk 3 printed again: the book is merged afresh from the worker's chunks and the new one.
    const again = copy(chunks[3]);
    const pdf = await book.finish({ kind: 'chunks', chunks: [chunks[0], view, chunks[2], again], owners: OWNERS }, pageMap(14), META, { print: false });
    expect(Buffer.from(pdf.bytes).equals(Buffer.from(reference))).toBe(true);
    // One document given to add() before (a book of one chunk) is finished from the worker's.
    const one = await chunk(0, 3, 'contents', 'ch-1', true);
    const oneReference = await finishPdf(copy(one), pageMap(3), META, { print: false });
    const single = worker.assembler();
    await single.add(0, one);
    const document = await single.finish({ kind: 'document', bytes: one }, pageMap(3), META, { print: false });
    expect(Buffer.from(document.bytes).equals(Buffer.from(oneReference.bytes))).toBe(true);
  });

  it('fails the book with the error of a chunk the merge refused, and with the page count it does not confirm', async () => {
    worker = startPdfWorker();
    const book = worker.assembler();
    const bad = expect(book.add(0, new TextEncoder().encode('not a PDF at all'))).rejects.toThrow(/PDF|header/i);
    const finished = expect(book.finish({ kind: 'merged', owners: OWNERS }, pageMap(1), META, { print: false })).rejects.toThrow(/PDF|header/i);
    await Promise.all([bad, finished]);
    // The worker goes on with the other editions.
    const other = worker.assembler();
    const one = await chunk(0, 3, 'contents', 'ch-1', true);
    await other.add(0, one);
    await expect(other.finish({ kind: 'merged', owners: OWNERS }, pageMap(5), META, { print: false })).rejects.toThrow(/printed 3 pages where Paged.js laid out 5/);
  });

  it('drops what is not finished when it is closed', async () => {
    worker = startPdfWorker();
    const book = worker.assembler();
    const chunks = await fourChunks(true);
    const adding = expect(book.add(0, chunks[0])).rejects.toThrow(/closed before it was finished/);
    const finishing = expect(book.finish({ kind: 'merged', owners: OWNERS }, pageMap(3), META, { print: false })).rejects.toThrow(/closed before it was finished/);
    await worker.close();
    await Promise.all([adding, finishing]);
    await expect(book.add(1, chunks[1])).rejects.toThrow(/closed before it was finished/);
  });
});
