/** Small tagged PDFs printed as Chromium prints a book's chunks, for the merge's tests. */
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';

const N = (name: string) => PDFName.of(name);

/**
 * A tagged chunk as Chromium prints one: a Document element with one
 * paragraph element per page, a parent tree keyed by the pages'
 * StructParents, and named destinations — its own chapter's, and a stand-in
 * for a target in another chunk.
 */
export async function chunk(c: number, pages: number, own: string, standIn: string, classic = false): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const ctx = doc.context;
  const rootRef = ctx.nextRef();
  const topRef = ctx.nextRef();
  const kids: PDFRef[] = [];
  const nums = ctx.obj([]);
  const dests = ctx.obj({});
  // One font for every page, as Chromium's subset fonts are: pages of a chunk taken in two runs share it.
  const font = ctx.register(ctx.obj({ Type: 'Font', Subtype: 'Type1', BaseFont: `Chunk${c}Font` }));
  for (let p = 0; p < pages; p++) {
    // Page widths tell the pages apart after the merge.
    const page = doc.addPage([100 + 10 * c + p, 200]);
    page.node.set(N('Resources'), ctx.obj({ Font: { F1: font } }));
    page.node.set(N('StructParents'), PDFNumber.of(p));
    // A string that reads like a reference, which a byte-level copy must leave alone.
    const elem = ctx.register(ctx.obj({ Type: 'StructElem', S: 'P', P: topRef, T: PDFString.of(`c${c}p${p}`), Alt: PDFString.of('(see 1 0 R)'), Pg: page.ref }));
    kids.push(elem);
    nums.push(PDFNumber.of(p));
    nums.push(ctx.obj([elem]));
    if (p === 0) dests.set(N(own), ctx.obj([page.ref, N('XYZ'), 0, 200, 0]));
  }
  dests.set(N(standIn), ctx.obj([doc.getPages()[0].ref, N('XYZ'), 0, 200, 0]));
  // A table's header cell (every chunk's printer calls it "h1") and a cell naming it in its attributes, on the first page.
  const first = doc.getPages()[0];
  const header = ctx.register(ctx.obj({ Type: 'StructElem', S: 'TH', P: kids[0], ID: PDFHexString.fromText('h1'), T: PDFString.of(`c${c}th`), Pg: first.ref }));
  const cell = ctx.register(ctx.obj({ Type: 'StructElem', S: 'TD', P: kids[0], A: { O: 'Table', Headers: [PDFHexString.fromText('h1')] }, Pg: first.ref }));
  // A link on the first page, tagged: its StructParent is the next key.
  const link = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [0, 0, 10, 10], Dest: N(standIn), StructParent: pages }));
  first.node.set(N('Annots'), ctx.obj([link]));
  const linkElem = ctx.register(ctx.obj({ Type: 'StructElem', S: 'Link', P: kids[0], T: PDFString.of(`c${c}link`), K: [{ Type: 'OBJR', Obj: link, Pg: first.ref }] }));
  nums.push(PDFNumber.of(pages));
  nums.push(linkElem);
  ctx.lookup(kids[0], PDFDict).set(N('K'), ctx.obj([header, cell, linkElem]));
  ctx.assign(topRef, ctx.obj({ Type: 'StructElem', S: 'Document', P: rootRef, K: kids }));
  const parentTree = ctx.register(ctx.obj({ Nums: nums }));
  const idTree = ctx.register(ctx.obj({ Names: [PDFHexString.fromText('h1'), header] }));
  ctx.assign(rootRef, ctx.obj({ Type: 'StructTreeRoot', K: topRef, ParentTree: parentTree, ParentTreeNextKey: pages + 1, IDTree: idTree }));
  doc.catalog.set(N('StructTreeRoot'), rootRef);
  doc.catalog.set(N('MarkInfo'), ctx.obj({ Marked: true }));
  doc.catalog.set(N('Dests'), ctx.register(dests));
  // Chromium writes a classic cross-reference table, which the byte-level splice reads; pdf-lib's object streams are not (they go through pdf-lib).
  return doc.save({ useObjectStreams: !classic });
}

// The front matter (chunk 0) links to chapter 2 and holds the "contents" target; the others stand in for it.
export const fourChunks = async (classic: boolean) =>
  Promise.all([chunk(0, 3, 'contents', 'ch-2', classic), chunk(1, 4, 'ch-1', 'contents', classic), chunk(2, 2, 'ch-2', 'contents', classic), chunk(3, 5, 'ch-3', 'contents', classic)]);

