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

/** Every link to a named destination: the page it is on and the page its destination resolves to (undefined: dangling). */
export async function namedLinks(file: string): Promise<Array<{ page: number; name: string; target?: number }>> {
  const { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef } = await import('pdf-lib');
  const fs = await import('node:fs');
  const doc = await PDFDocument.load(fs.readFileSync(file), { updateMetadata: false });
  const dests = doc.catalog.lookupMaybe(PDFName.of('Dests'), PDFDict);
  const index = new Map(doc.getPages().map((p, i) => [p.ref.toString(), i + 1]));
  const out: Array<{ page: number; name: string; target?: number }> = [];
  doc.getPages().forEach((page, i) => {
    for (const a of page.node.lookupMaybe(PDFName.of('Annots'), PDFArray)?.asArray() ?? []) {
      const annot = doc.context.lookup(a);
      const dest = annot instanceof PDFDict ? annot.get(PDFName.of('Dest')) : undefined;
      if (!(dest instanceof PDFName)) continue;
      const where = dests?.lookupMaybe(dest, PDFArray)?.get(0);
      out.push({ page: i + 1, name: dest.decodeText(), target: where instanceof PDFRef ? index.get(where.toString()) : undefined });
    }
  });
  return out;
}

/** The structure tree's parent-tree keys: every page's and annotation's StructParents must be one of them. */
export async function structParentsCheck(file: string): Promise<{ missing: number; keys: number; next: number }> {
  const { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber } = await import('pdf-lib');
  const fs = await import('node:fs');
  const doc = await PDFDocument.load(fs.readFileSync(file), { updateMetadata: false });
  const root = doc.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
  const nums = root.lookup(PDFName.of('ParentTree'), PDFDict).lookup(PDFName.of('Nums'), PDFArray);
  const keys = new Set<number>();
  for (let i = 0; i < nums.size(); i += 2) {
    const key = nums.get(i);
    if (key instanceof PDFNumber) keys.add(key.asNumber());
  }
  let missing = 0;
  for (const page of doc.getPages()) {
    const sp = page.node.get(PDFName.of('StructParents'));
    if (sp instanceof PDFNumber && !keys.has(sp.asNumber())) missing++;
    for (const a of page.node.lookupMaybe(PDFName.of('Annots'), PDFArray)?.asArray() ?? []) {
      const annot = doc.context.lookup(a);
      const key = annot instanceof PDFDict ? annot.get(PDFName.of('StructParent')) : undefined;
      if (key instanceof PDFNumber && !keys.has(key.asNumber())) missing++;
    }
  }
  const next = root.get(PDFName.of('ParentTreeNextKey'));
  return { missing, keys: keys.size, next: next instanceof PDFNumber ? next.asNumber() : -1 };
}
