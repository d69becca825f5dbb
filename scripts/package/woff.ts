/**
 * WOFF 1.0 containers read and written with Node's zlib (W3C, WOFF File
 * Format 1.0, sections 3 to 5). subset-font's own converter inflates and
 * deflates every table with pako, in JavaScript: the novel's fonts spent a
 * third of their subsetting time there. The container is only a header, a
 * table directory and one zlib stream per table, so it is done here, and
 * subset-font is handed and asked for plain TrueType.
 */
import { deflateSync, inflateSync } from 'node:zlib';

const WOFF_SIGNATURE = 0x774f4646;
const WOFF_HEADER = 44;
const WOFF_ENTRY = 20;
const SFNT_HEADER = 12;
const SFNT_ENTRY = 16;

const pad4 = (n: number) => (n + 3) & ~3;

export function isWoff(data: Uint8Array): boolean {
  return data.length >= WOFF_HEADER && view(data).getUint32(0) === WOFF_SIGNATURE;
}

/** The TrueType or OpenType font inside a WOFF file; its metadata and private blocks are dropped. */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const w = view(woff);
  if (!isWoff(woff)) throw new Error('Not a WOFF file');
  const numTables = w.getUint16(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = WOFF_HEADER + i * WOFF_ENTRY;
    const [tag, offset, compLength, origLength, checksum] = [0, 4, 8, 12, 16].map((d) => w.getUint32(at + d));
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(stored) : stored;
    if (data.length !== origLength) throw new Error(`WOFF table ${tagName(tag)} has ${data.length} bytes, not ${origLength}`);
    return { tag, checksum, data };
  });
  return writeSfnt(w.getUint32(4), tables);
}

/** A TrueType or OpenType font in a WOFF file, each table compressed where that makes it smaller. */
export function sfntToWoff(sfnt: Uint8Array): Uint8Array {
  const s = view(sfnt);
  const flavor = s.getUint32(0);
  const numTables = s.getUint16(4);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = SFNT_HEADER + i * SFNT_ENTRY;
    const [tag, checksum, offset, length] = [0, 4, 8, 12].map((d) => s.getUint32(at + d));
    const data = sfnt.subarray(offset, offset + length);
    const packed = deflateSync(data, { level: 9 });
    return { tag, checksum, origLength: length, stored: packed.length < length ? packed : data };
  }).sort((a, b) => a.tag - b.tag);
  const sfntSize = SFNT_HEADER + numTables * SFNT_ENTRY + tables.reduce((n, t) => n + pad4(t.origLength), 0);
  let offset = WOFF_HEADER + numTables * WOFF_ENTRY;
  const placed = tables.map((t) => {
    const at = offset;
    offset += pad4(t.stored.length);
    return at;
  });
  // Every table is padded to four bytes, the last one too (WOFF 1.0, section 5).
  const length = offset;
  const out = new Uint8Array(length);
  const o = view(out);
  o.setUint32(0, WOFF_SIGNATURE);
  o.setUint32(4, flavor);
  o.setUint32(8, length);
  o.setUint16(12, numTables);
  o.setUint32(16, sfntSize);
  // Version 0.0, no metadata and no private block: the rest of the header stays zero.
  tables.forEach((t, i) => {
    const at = WOFF_HEADER + i * WOFF_ENTRY;
    [t.tag, placed[i], t.stored.length, t.origLength, t.checksum].forEach((v, d) => o.setUint32(at + d * 4, v));
    out.set(t.stored, placed[i]);
  });
  return out;
}

function writeSfnt(flavor: number, tables: Array<{ tag: number; checksum: number; data: Uint8Array }>): Uint8Array {
  const sorted = [...tables].sort((a, b) => a.tag - b.tag);
  const n = sorted.length;
  let offset = SFNT_HEADER + n * SFNT_ENTRY;
  const placed = sorted.map((t) => {
    const at = offset;
    offset += pad4(t.data.length);
    return at;
  });
  const out = new Uint8Array(offset);
  const o = view(out);
  // The binary-search fields of the offset table (OpenType, "Table directory").
  const power = n ? 2 ** Math.floor(Math.log2(n)) : 0;
  o.setUint32(0, flavor);
  o.setUint16(4, n);
  o.setUint16(6, power * 16);
  o.setUint16(8, n ? Math.log2(power) : 0);
  o.setUint16(10, n * 16 - power * 16);
  sorted.forEach((t, i) => {
    const at = SFNT_HEADER + i * SFNT_ENTRY;
    [t.tag, t.checksum, placed[i], t.data.length].forEach((v, d) => o.setUint32(at + d * 4, v));
    out.set(t.data, placed[i]);
  });
  return out;
}

function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function tagName(tag: number): string {
  return String.fromCharCode((tag >>> 24) & 255, (tag >>> 16) & 255, (tag >>> 8) & 255, tag & 255);
}
