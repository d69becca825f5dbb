/**
 * Post-processing of the PDF Chromium prints: document metadata, language,
 * bookmarks that nest like the contents, and for the print edition TrimBox
 * and BleedBox on every page (pagedjs-cli's TrimBox is wrong with bleed and it
 * writes no BleedBox).
 */
import { PDFDocument, PDFName, PDFNumber, PDFHexString, PDFArray, PDFNull, type PDFRef, type PDFPage } from 'pdf-lib';
import type { OutlineItem, PageMap } from './paginate.ts';
import { READ_AT_ONCE, mergeChunkPdfs, type ChunkMerger, type ChunkPdf } from './pdf-merge.ts';
import type { IdOwner } from './chunks.ts';
import './pdf-deflate.ts';

export interface PdfMetadata {
  title: string;
  authors: string[];
  subject?: string;
  keywords: string[];
  language: string;
  date: Date;
  creator: string;
}

const PX_TO_PT = 72 / 96;

export async function finishPdf(
  /** The printed book, or the chunks of a book printed in chunks. */
  printed: Uint8Array | { chunks: ChunkPdf[]; owners: Map<string, IdOwner>; merged?: ChunkMerger },
  map: PageMap,
  meta: PdfMetadata,
  options: { print: boolean },
): Promise<{ bytes: Uint8Array; pages: number }> {
  const doc =
    printed instanceof Uint8Array
      ? await PDFDocument.load(printed, READ_AT_ONCE)
      : printed.merged
        ? await printed.merged.finish(printed.owners)
        : await mergeChunkPdfs(printed.chunks, printed.owners);
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setAuthor(meta.authors.join(', '));
  if (meta.subject) doc.setSubject(meta.subject);
  if (meta.keywords.length) doc.setKeywords(meta.keywords);
  doc.setCreator(meta.creator);
  doc.setProducer(`${meta.creator} (Paged.js, Chromium, pdf-lib)`);
  doc.setCreationDate(meta.date);
  doc.setModificationDate(meta.date);
  doc.setLanguage(meta.language);
  const pages = doc.getPages();
  if (pages.length !== map.pageCount) {
    throw new Error(`Chromium printed ${pages.length} pages where Paged.js laid out ${map.pageCount}.`);
  }
  if (options.print) {
    // Printers bind sheets: a print edition always has an even number of pages.
    if (pages.length % 2 === 1) {
      const last = pages[pages.length - 1];
      pages.push(doc.addPage([last.getWidth(), last.getHeight()]));
    }
    if (map.bleed > 0) setPrintBoxes(pages, map.bleed * PX_TO_PT);
  }
  if (map.outline.length) setOutline(doc, pages, map.outline);
  // Written at once too (pdf-lib would wait for a timer every 50 objects).
  return { bytes: await doc.save({ useObjectStreams: true, objectsPerTick: Infinity }), pages: pages.length };
}

function setPrintBoxes(pages: PDFPage[], bleed: number): void {
  for (const page of pages) {
    const { width, height } = page.getMediaBox();
    page.setBleedBox(0, 0, width, height);
    page.setTrimBox(bleed, bleed, width - 2 * bleed, height - 2 * bleed);
  }
}

function setOutline(doc: PDFDocument, pages: PDFPage[], items: OutlineItem[]): void {
  const ctx = doc.context;
  const rootRef = ctx.nextRef();
  const count = (list: OutlineItem[]): number => list.reduce((n, i) => n + 1 + count(i.children), 0);

  const build = (list: OutlineItem[], parent: PDFRef): PDFRef[] => {
    const refs = list.map(() => ctx.nextRef());
    list.forEach((item, i) => {
      const page = pages[item.page];
      const y = page.getHeight() - item.top * PX_TO_PT;
      const dest = PDFArray.withContext(ctx);
      dest.push(page.ref);
      dest.push(PDFName.of('XYZ'));
      dest.push(PDFNull);
      dest.push(PDFNumber.of(Math.round(y)));
      dest.push(PDFNull);
      const dict = ctx.obj({});
      dict.set(PDFName.of('Title'), PDFHexString.fromText(item.title));
      dict.set(PDFName.of('Parent'), parent);
      dict.set(PDFName.of('Dest'), dest);
      if (i > 0) dict.set(PDFName.of('Prev'), refs[i - 1]);
      if (i < list.length - 1) dict.set(PDFName.of('Next'), refs[i + 1]);
      if (item.children.length) {
        const kids = build(item.children, refs[i]);
        dict.set(PDFName.of('First'), kids[0]);
        dict.set(PDFName.of('Last'), kids[kids.length - 1]);
        // Negative count: children start closed, so the outline reads like the contents.
        dict.set(PDFName.of('Count'), PDFNumber.of(-count(item.children)));
      }
      ctx.assign(refs[i], dict);
    });
    return refs;
  };

  const top = build(items, rootRef);
  const root = ctx.obj({});
  root.set(PDFName.of('Type'), PDFName.of('Outlines'));
  root.set(PDFName.of('First'), top[0]);
  root.set(PDFName.of('Last'), top[top.length - 1]);
  root.set(PDFName.of('Count'), PDFNumber.of(count(items)));
  ctx.assign(rootRef, root);
  doc.catalog.set(PDFName.of('Outlines'), rootRef);
  doc.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
}
