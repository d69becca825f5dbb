/**
 * Merging chunks as they are printed, in any order: the same book as merging
 * them in order — pages, structure elements, parent tree and destinations.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import { ChunkMerger, mergeChunkPdfs } from '../scripts/paginate/pdf-merge.ts';
import type { IdOwner } from '../scripts/paginate/chunks.ts';
import { UnreadablePdf, readObjects } from '../scripts/paginate/pdf-objects.ts';
import { splicePages, spliceSource } from '../scripts/paginate/pdf-splice.ts';
import { requireTool } from './helpers/tools.ts';
import { chunk, fourChunks } from './helpers/pdf-chunks.ts';

const N = (name: string) => PDFName.of(name);

/** What a reader sees of the merged book, saved (spliced objects are bytes until then) and read again. */
async function describeBook(merged: PDFDocument) {
  const doc = await PDFDocument.load(await merged.save());
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
  const elementOf = (obj: unknown) => (doc.context.lookup(obj as PDFRef, PDFDict).get(N('T')) as PDFString | undefined)?.decodeText();
  // Each id names one header cell; each cell's Headers name an id of the tree.
  const idNames = root.lookup(N('IDTree'), PDFDict).lookup(N('Names'), PDFArray).asArray();
  const ids = Object.fromEntries(idNames.flatMap((v, i) => (i % 2 ? [] : [[(v as PDFHexString).decodeText(), elementOf(idNames[i + 1])]])));
  const cells = kids.flatMap((k) => (k.lookupMaybe(N('K'), PDFArray)?.asArray() ?? []).map((e) => doc.context.lookup(e, PDFDict)));
  const headers = cells.flatMap((e) => {
    const own = (e.get(N('ID')) as PDFHexString | undefined)?.decodeText();
    const named = (e.lookupMaybe(N('A'), PDFDict)?.lookupMaybe(N('Headers'), PDFArray)?.asArray() ?? []).map((h) => (h as PDFHexString).decodeText());
    return own ? [`id ${own}`] : named.map((h) => `headers ${h}`);
  });
  // Each link's StructParent finds its link element.
  const links = pages.flatMap((p) =>
    (p.node.lookupMaybe(N('Annots'), PDFArray)?.asArray() ?? []).map((a) => {
      const key = (doc.context.lookup(a, PDFDict).get(N('StructParent')) as PDFNumber).asNumber();
      return elementOf(nums[2 * keys.indexOf(key) + 1]);
    }),
  );
  const alts = new Set(kids.map((k) => (k.get(N('Alt')) as PDFString | undefined)?.decodeText()));
  // Each chunk's font, copied once however many runs of its pages came.
  const fonts = doc.context
    .enumerateIndirectObjects()
    .map(([, obj]) => (obj instanceof PDFDict ? obj.get(N('BaseFont')) : undefined))
    .filter((name): name is PDFName => name instanceof PDFName)
    .map((name) => name.decodeText())
    .sort();
  return {
    fonts,
    ids,
    headers,
    links,
    alts: [...alts],
    widths: pages.map((p) => p.getWidth()),
    elements: kids.map((k) => (k.get(N('T')) as PDFString).decodeText()),
    parents: kids.every((k) => k.get(N('P')) === root.get(N('K'))),
    pageElements,
    keysSortedAndUnique: keys.every((k, i) => i === 0 || k > keys[i - 1]),
    // One entry per page and per link: none for a page not in the book.
    parentTreeEntries: keys.length,
    nextKey: (root.get(N('ParentTreeNextKey')) as PDFNumber).asNumber(),
    dests: Object.fromEntries(dests.entries().map(([name, value]) => [name.decodeText(), index(doc.context.lookup(value, PDFArray).get(0))])),
  };
}

// Chunks with object streams are copied by pdf-lib; classic ones, as Chromium prints them, are spliced (pdf-splice.ts).
const PATHS = [
  ['pdf-lib', false],
  ['splice', true],
] as const;

describe.each(PATHS)('ChunkMerger (%s)', (_, classic) => {
  it('merges chunks added in any order into the book merging them in order gives', async () => {
    const chunks = await fourChunks(classic);
    const owners = fourChunkOwners();
    const reference = await describeBook(await mergeChunkPdfs(chunks, owners));
    expect(reference.widths).toEqual([100, 101, 102, 110, 111, 112, 113, 120, 121, 130, 131, 132, 133, 134]);
    expect(reference.pageElements).toEqual(reference.elements);
    expect(reference.parents).toBe(true);
    expect(reference.keysSortedAndUnique).toBe(true);
    // 14 pages and 4 links.
    expect(reference.nextKey).toBe(18);
    expect(reference.parentTreeEntries).toBe(18);
    expect(reference.links).toEqual(['c0link', 'c1link', 'c2link', 'c3link']);
    // Every chunk's "h1" is its own, and its cells still name it.
    expect(reference.ids).toEqual({ 'c0-h1': 'c0th', 'c1-h1': 'c1th', 'c2-h1': 'c2th', 'c3-h1': 'c3th' });
    expect(reference.headers).toEqual(['c0-', 'c1-', 'c2-', 'c3-'].flatMap((p) => [`id ${p}h1`, `headers ${p}h1`]));
    expect(reference.alts).toEqual(['(see 1 0 R)']);
    // Each target's destination is its owner's, not a stand-in.
    expect(reference.dests).toEqual({ contents: 0, 'ch-1': 3, 'ch-2': 7, 'ch-3': 9 });

    for (const order of [[1, 2, 3, 0], [3, 1, 0, 2], [2, 0, 3, 1]]) {
      const merger = new ChunkMerger();
      await Promise.all(order.map((c) => merger.add(c, chunks[c])));
      expect(await describeBook(await merger.finish(owners)), `order ${order.join(',')}`).toEqual(reference);
    }
  });

  it('puts a chunk together from pages of several PDFs, each bringing its own pages’ elements, parent-tree entries and destinations', async () => {
    const front = await chunk(0, 2, 'contents', 'ch-1', classic);
    // A part printed before (four pages: chapter "ch-1" on 0–1, "ch-2" on 2–3), and its second chapter printed again alone.
    const before = await chunk(1, 4, 'ch-1', 'contents', classic);
    const alone = await chunk(5, 3, 'ch-2', 'contents', classic);
    const after = await chunk(3, 1, 'ch-3', 'contents', classic);
    // Two ranges of the same PDF that touch are one.
    const part = [{ bytes: before, from: 0, to: 1 }, { bytes: before, from: 1, to: 2 }, { bytes: alone }];
    const owners = new Map<string, IdOwner>([
      ['contents', { chunk: 0, page: 0 }],
      ['ch-1', { chunk: 1, page: 2 }],
      ['ch-2', { chunk: 1, page: 4 }],
      ['ch-3', { chunk: 2, page: 7 }],
    ]);
    const book = await describeBook(await mergeChunkPdfs([front, part, after], owners));
    expect(book.fonts).toEqual(['Chunk0Font', 'Chunk1Font', 'Chunk3Font', 'Chunk5Font']);
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
      const merged = await describeBook(await merger.finish(owners));
      expect({ ...merged, nextKey: 0 }, `order ${order.join(',')}`).toEqual({ ...book, nextKey: 0 });
    }
    // Nothing whole to put the pages on.
    const merger = new ChunkMerger();
    await merger.add(0, [{ bytes: before, from: 0, to: 2 }]);
    await expect(merger.finish(owners)).rejects.toThrow(/No whole PDF/);
  });

  it('takes two runs of one PDF’s pages on both sides of another, with its fonts once', async () => {
    const front = await chunk(0, 2, 'contents', 'ch-1', classic);
    // A part printed before: "ch-1" on pages 0–1, "ch-2" on 2–3, "ch-3" on 4; "ch-2" printed again alone, on three pages.
    const before = await chunk(1, 5, 'ch-1', 'contents', classic);
    const alone = await chunk(5, 3, 'ch-2', 'contents', classic);
    const part = [{ bytes: before, from: 0, to: 2 }, { bytes: alone }, { bytes: before, from: 4, to: 5 }];
    const owners = new Map<string, IdOwner>([
      ['contents', { chunk: 0, page: 0 }],
      ['ch-1', { chunk: 1, page: 2 }],
      ['ch-2', { chunk: 1, page: 4 }],
    ]);
    const book = await describeBook(await mergeChunkPdfs([front, part], owners));
    expect(book.widths).toEqual([100, 101, 110, 111, 150, 151, 152, 114]);
    expect(book.elements).toEqual(['c0p0', 'c0p1', 'c1p0', 'c1p1', 'c5p0', 'c5p1', 'c5p2', 'c1p4']);
    expect(book.pageElements).toEqual(book.elements);
    expect(book.fonts).toEqual(['Chunk0Font', 'Chunk1Font', 'Chunk5Font']);
    expect(book.links).toEqual(['c0link', 'c1link', 'c5link']);
    // The first run holds the earlier part's header cell; the chapter printed alone has its own.
    expect(book.ids).toEqual({ 'c0-h1': 'c0th', 'c1-h1': 'c1th', 'c1.1-h1': 'c5th' });
    expect(book.keysSortedAndUnique).toBe(true);
    expect(book.dests).toEqual({ contents: 0, 'ch-1': 2, 'ch-2': 4 });
  });

  it('refuses a chunk added twice', async () => {
    const merger = new ChunkMerger();
    const bytes = await chunk(0, 1, 'x', 'y', classic);
    await merger.add(0, bytes);
    expect(() => merger.add(0, bytes)).toThrow(/merged twice/);
  });
});

/** qpdf finds nothing wrong with what the splice wrote. */
async function expectQpdfClean(book: PDFDocument): Promise<void> {
  requireTool('qpdf');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-splice-'));
  try {
    const file = path.join(dir, 'book.pdf');
    fs.writeFileSync(file, await book.save());
    expect(() => execFileSync('qpdf', ['--check', file], { stdio: 'pipe' })).not.toThrow();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('splicing pages', () => {
  it('gives the book pdf-lib’s copy gives for runs of a PDF’s pages, and passes qpdf --check', async () => {
    const make = async (classic: boolean) => {
      const before = await chunk(1, 5, 'ch-1', 'contents', classic);
      return [await chunk(0, 2, 'contents', 'ch-1', classic), [{ bytes: before, from: 0, to: 2 }, { bytes: await chunk(5, 3, 'ch-2', 'contents', classic) }, { bytes: before, from: 4 }]];
    };
    const owners = new Map<string, IdOwner>([['contents', { chunk: 0, page: 0 }]]);
    const spliced = await mergeChunkPdfs(await make(true), owners);
    expect(await describeBook(spliced)).toEqual(await describeBook(await mergeChunkPdfs(await make(false), owners)));
    await expectQpdfClean(spliced);
  });

  it('leaves to pdf-lib pages that refer to a page left out', async () => {
    // A link on the first page whose destination is the third page itself, not a name.
    const doc = await PDFDocument.load(await chunk(1, 3, 'ch-1', 'contents', true));
    const [first, , third] = doc.getPages();
    const link = doc.context.register(doc.context.obj({ Type: 'Annot', Subtype: 'Link', Rect: [0, 0, 5, 5], Dest: [third.ref, N('XYZ'), 0, 200, 0] }));
    first.node.lookup(N('Annots'), PDFArray).push(link);
    const bytes = await doc.save({ useObjectStreams: false });
    const book = await mergeChunkPdfs([await chunk(0, 1, 'contents', 'ch-1', true), [{ bytes, from: 0, to: 1 }]], new Map());
    const base = await PDFDocument.create();
    await expect(splicePages(spliceSource(bytes), { doc: base }, { pages: 0, kids: 0 }, 0, 'x-', { from: 0, to: 1 })).rejects.toThrow(UnreadablePdf);
    const saved = await PDFDocument.load(await book.save());
    expect(saved.getPages().map((p) => p.getWidth())).toEqual([100, 110]);
  });
});

/** Where the ids of fourChunks() are. */
function fourChunkOwners(): Map<string, IdOwner> {
  return new Map<string, IdOwner>([
    ['contents', { chunk: 0, page: 2 }],
    ['ch-1', { chunk: 1, page: 3 }],
    ['ch-2', { chunk: 2, page: 7 }],
    ['ch-3', { chunk: 3, page: 9 }],
  ]);
}

describe('the book’s page tree', () => {
  it('puts spliced pages around a base pdf-lib copied, in order, and counts them for what pdf-lib adds after', async () => {
    const owners = fourChunkOwners();
    const classic = await fourChunks(true);
    const streams = await fourChunks(false);
    const reference = await describeBook(await mergeChunkPdfs(classic, owners));
    // Chunk 1 (object streams) is copied by pdf-lib and becomes the base, its page count read; the others are spliced before and after it.
    const merger = new ChunkMerger();
    const chunks = [classic[0], streams[1], classic[2], classic[3]];
    for (const c of [1, 3, 0, 2]) await merger.add(c, chunks[c]);
    const book = await merger.finish(owners);
    expect(book.getPageCount()).toBe(14);
    expect(book.getPages().map((p) => p.getWidth())).toEqual(reference.widths);
    expect(await describeBook(book)).toEqual(reference);
    // As finishPdf evens a print edition: the page goes last.
    book.addPage([99, 99]);
    const saved = await PDFDocument.load(await book.save());
    expect(saved.getPages().map((p) => p.getWidth())).toEqual([...reference.widths, 99]);
    await expectQpdfClean(book);
  });

  it('holds each run of spliced pages in a node of its own, not every page in the root', async () => {
    const book = await mergeChunkPdfs(await fourChunks(true), new Map());
    const root = book.catalog.Pages();
    expect(root.Count().asNumber()).toBe(14);
    const kids = root.Kids().asArray().map((k) => book.context.lookup(k));
    expect(kids.map((k) => (k instanceof PDFDict ? (k.get(N('Count')) as PDFNumber | undefined)?.asNumber() : undefined))).toEqual([3, 4, 2, 5]);
  });
});

describe('splicing whole PDFs', () => {
  it('gives the book pdf-lib’s copy gives, and reads only the PDFs it can', async () => {
    const owners = fourChunkOwners();
    const classic = await fourChunks(true);
    const streams = await fourChunks(false);
    expect(() => readObjects(streams[0])).toThrow(UnreadablePdf);
    expect(readObjects(classic[0]).objects.size).toBeGreaterThan(10);
    const spliced = await mergeChunkPdfs(classic, owners);
    expect(await describeBook(spliced)).toEqual(await describeBook(await mergeChunkPdfs(streams, owners)));
    await expectQpdfClean(spliced);
  });
});
