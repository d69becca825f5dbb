/**
 * Which characters a WOFF2 font maps to a glyph, read from its cmap table
 * (W3C WOFF File Format 2.0, sections 4 and 5; OpenType cmap formats 4 and
 * 12). fontkit answers the same question, but first inflates the whole font
 * with a JavaScript port of Brotli and loads its Unicode tables: about a
 * quarter of a second of every cold build for the dozen files an English
 * book opens. The container is a header, a table directory and one Brotli
 * stream, which Node's zlib inflates natively, and the cmap is never
 * transformed; so that much is read here. A font it does not read (a
 * collection, another cmap format) gives undefined, and the caller asks
 * fontkit.
 */
import { brotliDecompressSync } from 'node:zlib';

export interface CharacterMap {
  /** Whether the code point maps to a glyph other than .notdef. */
  has(cp: number): boolean;
}

const WOFF2_SIGNATURE = 0x774f4632; // 'wOF2'
const COLLECTION_FLAVOR = 0x74746366; // 'ttcf'
const HEADER = 48;
const CMAP = 0x636d6170;
const GLYF_INDEX = 10;
const LOCA_INDEX = 11;
/** The tag of table directory entries whose flags give index 0: the cmap (WOFF 2.0, table 1). */
const CMAP_INDEX = 0;

/** Unicode subtables in fontkit's order of preference (platform, encoding). */
const PREFERRED: Array<[number, number]> = [
  [3, 10],
  [0, 6],
  [0, 4],
  [3, 1],
  [0, 3],
  [0, 2],
  [0, 1],
  [0, 0],
];

export function readWoff2CharacterMap(file: Uint8Array): CharacterMap | undefined {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < HEADER || v.getUint32(0) !== WOFF2_SIGNATURE || v.getUint32(4) === COLLECTION_FLAVOR) return undefined;
  const numTables = v.getUint16(12);
  const compressedSize = v.getUint32(20);
  let at = HEADER;
  // UIntBase128: big-endian groups of seven bits, the high bit set on all but the last byte.
  const base128 = () => {
    let n = 0;
    for (let i = 0; i < 5; i++) {
      const byte = file[at++];
      n = n * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) return n;
    }
    throw new Error('Bad UIntBase128 in the WOFF2 table directory');
  };
  let offset = 0;
  let cmap: { offset: number; length: number } | undefined;
  for (let t = 0; t < numTables; t++) {
    const flags = file[at++];
    const index = flags & 0x3f;
    let tag: number | undefined;
    if (index === 0x3f) {
      tag = v.getUint32(at);
      at += 4;
    }
    const length = base128();
    const version = flags >> 6;
    // glyf and loca are transformed under version 0, every other table under any other version.
    const transformed = index === GLYF_INDEX || index === LOCA_INDEX ? version === 0 : version !== 0;
    const stored = transformed ? base128() : length;
    if ((index === CMAP_INDEX || tag === CMAP) && !transformed) cmap = { offset, length };
    // The tables follow one another in the inflated stream, in directory order, unpadded.
    offset += stored;
  }
  if (!cmap) return undefined;
  const tables = brotliDecompressSync(file.subarray(at, at + compressedSize));
  if (tables.length < offset) throw new Error('The WOFF2 font stream is shorter than its table directory says');
  return readCmap(new DataView(tables.buffer, tables.byteOffset + cmap.offset, cmap.length));
}

function readCmap(c: DataView): CharacterMap | undefined {
  const count = c.getUint16(2);
  const records = Array.from({ length: count }, (_, i) => ({
    platform: c.getUint16(4 + i * 8),
    encoding: c.getUint16(6 + i * 8),
    offset: c.getUint32(8 + i * 8),
  }));
  for (const [platform, encoding] of PREFERRED) {
    const record = records.find((r) => r.platform === platform && r.encoding === encoding);
    if (!record) continue;
    const subtable = new DataView(c.buffer, c.byteOffset + record.offset, c.byteLength - record.offset);
    const format = subtable.getUint16(0);
    if (format === 4) return format4(subtable);
    if (format === 12) return format12(subtable);
    // The subtable fontkit would use is of another format: fontkit answers.
    return undefined;
  }
  return undefined;
}

/** Segment mapping to delta values: the BMP in sorted segments. */
function format4(s: DataView): CharacterMap {
  const segCount = s.getUint16(6) / 2;
  const ends = 14;
  const starts = ends + segCount * 2 + 2;
  const deltas = starts + segCount * 2;
  const rangeOffsets = deltas + segCount * 2;
  return {
    has(cp) {
      let lo = 0;
      let hi = segCount - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cp < s.getUint16(starts + mid * 2)) hi = mid - 1;
        else if (cp > s.getUint16(ends + mid * 2)) lo = mid + 1;
        else {
          const delta = s.getInt16(deltas + mid * 2);
          const at = rangeOffsets + mid * 2;
          const rangeOffset = s.getUint16(at);
          if (rangeOffset === 0) return ((cp + delta) & 0xffff) !== 0;
          // idRangeOffset counts bytes from its own position into glyphIdArray.
          const glyphAt = at + rangeOffset + (cp - s.getUint16(starts + mid * 2)) * 2;
          const glyph = glyphAt + 2 <= s.byteLength ? s.getUint16(glyphAt) : 0;
          return glyph !== 0 && ((glyph + delta) & 0xffff) !== 0;
        }
      }
      return false;
    },
  };
}

/** Segmented coverage: sorted groups of consecutive code points and glyphs. */
function format12(s: DataView): CharacterMap {
  const groups = s.getUint32(12);
  return {
    has(cp) {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = 16 + mid * 12;
        const start = s.getUint32(at);
        if (cp < start) hi = mid - 1;
        else if (cp > s.getUint32(at + 4)) lo = mid + 1;
        else return s.getUint32(at + 8) + (cp - start) !== 0;
      }
      return false;
    },
  };
}
