/** Counts bookmarks by walking /Outlines (First → Next, and into each item's children). */
import { PDFDict, PDFName, type PDFDocument } from 'pdf-lib';
import type { CheckResult } from './types.ts';

export function outlineCount(doc: PDFDocument): number {
  const root = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  const seen = new Set<PDFDict>();
  const walk = (parent: PDFDict): number => {
    let n = 0;
    let item = parent.lookupMaybe(PDFName.of('First'), PDFDict);
    // A damaged file may link items in a loop; each item is counted once.
    while (item && !seen.has(item)) {
      seen.add(item);
      n += 1 + walk(item);
      item = item.lookupMaybe(PDFName.of('Next'), PDFDict);
    }
    return n;
  };
  return root ? walk(root) : 0;
}

/** The screen PDF must have bookmarks; for the print PDF the count is only reported. */
export function checkOutline(doc: PDFDocument, name: string, required: boolean): CheckResult {
  const n = outlineCount(doc);
  return { file: name, check: 'outline', ok: n > 0 || !required, detail: n ? `${n} entries` : 'no bookmarks' };
}
