/**
 * pdf-lib compresses the streams it writes (the object streams that hold a
 * merged book's structure tree, pages and links) with pako, a deflate written
 * in JavaScript, and has no option for another. Node's zlib writes the same
 * format about three times as fast (saving the novel's PDF: 280 → 110 ms, the
 * same size), so the deflate of the pako that pdf-lib uses is zlib's.
 * Installed once, when the PDF modules load; inflating is left to pako.
 *
 * The pako imported here is pdf-lib's own: the version it asks for, pinned in
 * package.json so that npm installs one copy, which Node loads once from the
 * sources and the bundle in lib/ holds once (a test checks that pdf-lib sees it).
 */
import zlib from 'node:zlib';
import pako from 'pako';

if (!pako.colophonZlib) {
  pako.deflate = (data: Uint8Array) => zlib.deflateSync(data);
  pako.colophonZlib = true;
}
