/**
 * pdf-lib's streams are deflated by Node's zlib (pdf-deflate.ts): the pako
 * the patch replaces must be the one pdf-lib itself loads.
 */
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import '../scripts/paginate/pdf-finish.ts';

describe('deflate of pdf-lib', () => {
  it('is zlib in the pako pdf-lib loads, and its output inflates to what was written', async () => {
    const pako = createRequire(createRequire(import.meta.url).resolve('pdf-lib'))('pako') as { deflate: (d: Uint8Array) => Uint8Array; colophonZlib?: true };
    expect(pako.colophonZlib).toBe(true);
    const data = new TextEncoder().encode('BT /F1 12 Tf 72 712 Td (Colophon) Tj ET\n'.repeat(50));
    expect(Buffer.from(pako.deflate(data)).equals(zlib.deflateSync(data))).toBe(true);
    // A document saved with object streams reads back.
    const doc = await PDFDocument.create();
    for (let i = 0; i < 3; i++) doc.addPage([100, 100]);
    const again = await PDFDocument.load(await doc.save({ useObjectStreams: true }));
    expect(again.getPageCount()).toBe(3);
  });
});
