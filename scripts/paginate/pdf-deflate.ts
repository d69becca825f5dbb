/**
 * pdf-lib compresses the streams it writes (the object streams that hold a
 * merged book's structure tree, pages and links) with pako, a deflate written
 * in JavaScript, and has no option for another. Node's zlib writes the same
 * format about three times as fast (saving the novel's PDF: 280 → 110 ms, the
 * same size), so the deflate of the pako that pdf-lib loads is zlib's.
 * Installed once, when the PDF modules load; inflating is left to pako.
 */
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

const pdfLib = createRequire(import.meta.url).resolve('pdf-lib');
const pako = createRequire(pdfLib)('pako') as { deflate: (data: Uint8Array) => Uint8Array; colophonZlib?: true };
if (!pako.colophonZlib) {
  pako.deflate = (data: Uint8Array) => zlib.deflateSync(data);
  pako.colophonZlib = true;
}
