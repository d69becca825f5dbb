/**
 * Merging chunks as they are printed, in any order: the same book as merging
 * them in order — pages, structure elements, parent tree and destinations.
 */
import { describe, expect, it } from 'vitest';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import { ChunkMerger, mergeChunkPdfs } from '../scripts/paginate/pdf-merge.ts';
import type { IdOwner } from '../scripts/paginate/chunks.ts';

const N = (name: string) => PDFName.of(name);

/**
 * A tagged chunk as Chromium prints one: a Document element with one
 * paragraph element per page, a parent tree keyed by the pages'
 * StructParents, and named destinations — its own chapter's, and a stand-in
 * for a target in another chunk.
 */
async function chunk(c: number, pages: number, own: string, standIn: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const ctx = doc.context;
  const rootRef = ctx.nextRef();
  const topRef = ctx.nextRef();
  const kids: PDFRef[] = [];
  const nums = ctx.obj([]);
  const dests = ctx.obj({});
  for (let p = 0; p < pages; p++) {
    // Page widths tell the pages apart after the merge.
    const page = doc.addPage([100 + 10 * c + p, 200]);
    page.node.set(N('StructParents'), PDFNumber.of(p));
    const elem = ctx.register(ctx.obj({ Type: 'StructElem', S: 'P', P: topRef, T: PDFString.of(`c${c}p${p}`), Pg: page.ref }));
    kids.push(elem);
    nums.push(PDFNumber.of(p));
    nums.push(ctx.obj([elem]));
    if (p === 0) dests.set(N(own), ctx.obj([page.ref, N('XYZ'), 0, 200, 0]));
  }
  dests.set(N(standIn), ctx.obj([doc.getPages()[0].ref, N('XYZ'), 0, 200, 0]));
  ctx.assign(topRef, ctx.obj({ Type: 'StructElem', S: 'Document', P: rootRef, K: kids }));
  const parentTree = ctx.register(ctx.obj({ Nums: nums }));
  ctx.assign(rootRef, ctx.obj({ Type: 'StructTreeRoot', K: topRef, ParentTree: parentTree, ParentTreeNextKey: pages }));
  doc.catalog.set(N('StructTreeRoot'), rootRef);
  doc.catalog.set(N('MarkInfo'), ctx.obj({ Marked: true }));
  doc.catalog.set(N('Dests'), ctx.register(dests));
  return doc.save();
}

/** What a reader sees of the merged book. */
function describeBook(doc: PDFDocument) {
  const pages = doc.getPages();
  const index = (ref: unknown) => pages.findIndex((p) => p.ref === ref);
  const root = doc.catalog.lookup(N('StructTreeRoot'), PDFDict);
  const top = root.lookup(N('K'), PDFDict);
  const kids = top.lookup(N('K'), PDFArray).asArray().map((k) => doc.context.lookup(k, PDFDict));
  const nums = root.lookup(N('ParentTree'), PDFDict).lookup(N('Nums'), PDFArray).asArray();
  const keys = nums.filter((_, i) => i % 2 === 0).map((n) => (n as PDFNumber).asNumber());
  // Every page's StructParents finds the element of that page.
  const pageElements = pages.map((p) => {
    const key = (p.node.get(N('StructParents')) as PDFNumber).asNumber();
    const entry = doc.context.lookup(nums[2 * keys.indexOf(key) + 1], PDFArray);
    return (doc.context.lookup(entry.get(0), PDFDict).get(N('T')) as PDFString).decodeText();
  });
  const dests = doc.catalog.lookup(N('Dests'), PDFDict);
  return {
    widths: pages.map((p) => p.getWidth()),
    elements: kids.map((k) => (k.get(N('T')) as PDFString).decodeText()),
    parents: kids.every((k) => k.get(N('P')) === root.get(N('K'))),
    pageElements,
    keysSortedAndUnique: keys.every((k, i) => i === 0 || k > keys[i - 1]),
    // One entry per page here (no annotations): none for a page not in the book.
    parentTreeEntries: keys.length,
    nextKey: (root.get(N('ParentTreeNextKey')) as PDFNumber).asNumber(),
    dests: Object.fromEntries(dests.entries().map(([name, value]) => [name.decodeText(), index(doc.context.lookup(value, PDFArray).get(0))])),
  };
}

describe('ChunkMerger', () => {
  it('merges chunks added in any order into the book merging them in order gives', async () => {
    // The front matter (chunk 0) links to chapter 2 and holds the "contents" target; the others stand in for it.
    const chunks = [await chunk(0, 3, 'contents', 'ch-2'), await chunk(1, 4, 'ch-1', 'contents'), await chunk(2, 2, 'ch-2', 'contents'), await chunk(3, 5, 'ch-3', 'contents')];
    const owners = new Map<string, IdOwner>([
      ['contents', { chunk: 0, page: 2 }],
      ['ch-1', { chunk: 1, page: 3 }],
      ['ch-2', { chunk: 2, page: 7 }],
      ['ch-3', { chunk: 3, page: 9 }],
    ]);
    const reference = describeBook(await mergeChunkPdfs(chunks, owners));
    expect(reference.widths).toEqual([100, 101, 102, 110, 111, 112, 113, 120, 121, 130, 131, 132, 133, 134]);
    expect(reference.pageElements).toEqual(reference.elements);
    expect(reference.parents).toBe(true);
    expect(reference.keysSortedAndUnique).toBe(true);
    expect(reference.nextKey).toBe(14);
    // Each target's destination is its owner's, not a stand-in.
    expect(reference.dests).toEqual({ contents: 0, 'ch-1': 3, 'ch-2': 7, 'ch-3': 9 });

    for (const order of [[1, 2, 3, 0], [3, 1, 0, 2], [2, 0, 3, 1]]) {
      const merger = new ChunkMerger();
      await Promise.all(order.map((c) => merger.add(c, chunks[c])));
      expect(describeBook(await merger.finish(owners)), `order ${order.join(',')}`).toEqual(reference);
    }
  });

  it('puts a chunk together from pages of several PDFs, each bringing its own pages’ elements, parent-tree entries and destinations', async () => {
    const front = await chunk(0, 2, 'contents', 'ch-1');
    // A part printed before (four pages: chapter "ch-1" on 0–1, "ch-2" on 2–3), and its second chapter printed again alone.
    const before = await chunk(1, 4, 'ch-1', 'contents');
    const alone = await chunk(5, 3, 'ch-2', 'contents');
    const after = await chunk(3, 1, 'ch-3', 'contents');
    // Two ranges of the same PDF that touch are one.
    const part = [{ bytes: before, from: 0, to: 1 }, { bytes: before, from: 1, to: 2 }, { bytes: alone }];
    const owners = new Map<string, IdOwner>([
      ['contents', { chunk: 0, page: 0 }],
      ['ch-1', { chunk: 1, page: 2 }],
      ['ch-2', { chunk: 1, page: 4 }],
      ['ch-3', { chunk: 2, page: 7 }],
    ]);
    const book = describeBook(await mergeChunkPdfs([front, part, after], owners));
    // The pages of the earlier chapter's second half are not in the book, nor their elements.
    expect(book.widths).toEqual([100, 101, 110, 111, 150, 151, 152, 130]);
    expect(book.elements).toEqual(['c0p0', 'c0p1', 'c1p0', 'c1p1', 'c5p0', 'c5p1', 'c5p2', 'c3p0']);
    expect(book.pageElements).toEqual(book.elements);
    expect(book.parents).toBe(true);
    expect(book.keysSortedAndUnique).toBe(true);
    expect(book.dests).toEqual({ contents: 0, 'ch-1': 2, 'ch-2': 4, 'ch-3': 7 });

    // The same book whatever the order, even when a chunk of pages taken in part comes before any whole PDF.
    for (const order of [[1, 0, 2], [2, 1, 0], [1, 2, 0]]) {
      const merger = new ChunkMerger();
      const chunks = [front, part, after];
      await Promise.all(order.map((c) => merger.add(c, chunks[c])));
      const merged = describeBook(await merger.finish(owners));
      expect({ ...merged, nextKey: 0 }, `order ${order.join(',')}`).toEqual({ ...book, nextKey: 0 });
    }
    // Nothing whole to put the pages on.
    const merger = new ChunkMerger();
    await merger.add(0, [{ bytes: before, from: 0, to: 2 }]);
    await expect(merger.finish(owners)).rejects.toThrow(/No whole PDF/);
  });

  it('refuses a chunk added twice', async () => {
    const merger = new ChunkMerger();
    const bytes = await chunk(0, 1, 'x', 'y');
    await merger.add(0, bytes);
    expect(() => merger.add(0, bytes)).toThrow(/merged twice/);
  });
});
