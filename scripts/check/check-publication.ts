/**
 * All probes for one built publication: EPUBCheck on the EPUB; structure,
 * pages, fonts, outline and metadata on each PDF; print boxes on the print
 * PDF. A file the manifest lists but that is gone fails its own row.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PDFDocument } from 'pdf-lib';
import type { OutputFile } from '../web/downloads.ts';
import { checkAce } from './ace.ts';
import { checkEpub, type Epubcheck } from './epubcheck.ts';
import type { BuiltPublication } from './find-built.ts';
import { checkPrintBoxes } from './pdf-boxes.ts';
import { checkPages, openPdf } from './pdf-document.ts';
import { checkFonts } from './pdf-fonts.ts';
import { checkMetadata } from './pdf-metadata.ts';
import { checkOutline } from './pdf-outline.ts';
import { checkStructure } from './pdf-structure.ts';
import type { CheckResult, PublicationCheck } from './types.ts';

export interface CheckOptions {
  epubcheck?: Epubcheck;
  /** Run Ace by DAISY on EPUBs (needs Chromium). */
  ace?: boolean;
  /** Bleed in points from book.yaml, when the source was found. */
  bleed?: number;
}

export async function checkPublication(pub: BuiltPublication, options: CheckOptions): Promise<PublicationCheck> {
  // EPUBCheck (a JVM) and the PDF probes run side by side; rows keep the manifest's order.
  const perOutput = await Promise.all(pub.outputs.map((output) => checkOutput(output, pub, options)));
  const results = perOutput.flat();
  return { slug: pub.slug, title: pub.title, dir: pub.dir, ok: results.every((r) => r.ok), results };
}

async function checkOutput(output: OutputFile, pub: BuiltPublication, options: CheckOptions): Promise<CheckResult[]> {
  const file = path.join(pub.dir, output.file);
  if (output.kind === 'web') return [];
  if (!fs.existsSync(file)) return [{ file: output.file, check: 'exists', ok: false, detail: 'listed in publication.json but missing' }];
  if (output.kind === 'epub') {
    const rows = await Promise.all([
      options.epubcheck ? checkEpub(file, output.file, options.epubcheck) : undefined,
      options.ace ? checkAce(file, output.file) : undefined,
    ]);
    return rows.filter((r): r is CheckResult => r !== undefined);
  }
  return checkPdf(file, output, pub, options);
}

async function checkPdf(file: string, output: OutputFile, pub: BuiltPublication, options: CheckOptions): Promise<CheckResult[]> {
  const name = output.file;
  const results = [await checkStructure(file, name), await checkFonts(file, name)];
  const doc = await openPdf(file, name);
  if (!isDocument(doc)) return [...results, doc];
  results.push(checkPages(doc, name, output.pages));
  results.push(checkOutline(doc, name, output.kind === 'pdf'));
  results.push(checkMetadata(doc, name, { title: pub.title, author: pub.author }));
  if (output.kind === 'print') results.push(checkPrintBoxes(doc, name, options.bleed));
  return results;
}

function isDocument(doc: PDFDocument | CheckResult): doc is PDFDocument {
  return !('check' in doc);
}
