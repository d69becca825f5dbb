/** Title and author in the PDF's document information, as shown by readers and catalogs. */
import type { PDFDocument } from 'pdf-lib';
import type { CheckResult } from './types.ts';

export function checkMetadata(doc: PDFDocument, name: string, expected: { title: string; author: string }): CheckResult {
  const title = doc.getTitle() ?? '';
  const author = doc.getAuthor() ?? '';
  const wrong: string[] = [];
  if (title !== expected.title) wrong.push(title ? `title is "${title}", expected "${expected.title}"` : 'no title');
  if (expected.author && author !== expected.author) wrong.push(author ? `author is "${author}", expected "${expected.author}"` : 'no author');
  return {
    file: name,
    check: 'metadata',
    ok: wrong.length === 0,
    detail: wrong.length ? wrong.join('; ') : `"${title}"${author ? ` by ${author}` : ''}`,
  };
}
