/** Reading PDF structure that poppler does not print: the outline. */
import fs from 'node:fs';
import { PDFDocument, PDFDict, PDFName, PDFHexString, PDFString } from 'pdf-lib';

export interface OutlineEntry {
  title: string;
  children: OutlineEntry[];
}

export async function readOutline(file: string): Promise<OutlineEntry[]> {
  const doc = await PDFDocument.load(fs.readFileSync(file), { updateMetadata: false });
  const root = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  const walk = (first: PDFDict | undefined): OutlineEntry[] => {
    const out: OutlineEntry[] = [];
    for (let item = first; item; item = item.lookupMaybe(PDFName.of('Next'), PDFDict)) {
      const t = item.lookup(PDFName.of('Title'));
      const title = t instanceof PDFHexString || t instanceof PDFString ? t.decodeText() : '';
      out.push({ title, children: walk(item.lookupMaybe(PDFName.of('First'), PDFDict)) });
    }
    return out;
  };
  return root ? walk(root.lookupMaybe(PDFName.of('First'), PDFDict)) : [];
}
