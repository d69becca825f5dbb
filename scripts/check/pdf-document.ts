/**
 * Opens a PDF with pdf-lib for the probes that read its objects (pages,
 * boxes, outline, metadata). A file pdf-lib cannot parse fails one row
 * instead of stopping the whole check.
 */
import fs from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import type { CheckResult } from './types.ts';

export async function openPdf(file: string, name: string): Promise<PDFDocument | CheckResult> {
  try {
    // updateMetadata: false, or pdf-lib would replace the producer and dates we want to read.
    return await PDFDocument.load(await fs.readFile(file), { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: true });
  } catch (error) {
    return { file: name, check: 'readable', ok: false, detail: `pdf-lib could not parse it: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The page count, and that it is the count the build reported. */
export function checkPages(doc: PDFDocument, name: string, expected?: number): CheckResult {
  const pages = doc.getPageCount();
  const ok = pages > 0 && (expected === undefined || expected === pages);
  const detail = ok ? `${pages}` : pages === 0 ? 'no pages' : `${pages}, but the build reported ${expected}`;
  return { file: name, check: 'pages', ok, detail };
}
