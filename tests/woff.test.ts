/**
 * The WOFF container of the EPUB's font subsets (scripts/package/woff.ts),
 * checked against fontkit's own WOFF reader and the fonts the theme ships.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import subsetFont from 'subset-font';
import { describe, expect, it } from 'vitest';
import { isWoff, sfntToWoff, woffToSfnt } from '../scripts/package/woff.ts';
import { packageDir } from '../scripts/util/package-dir.ts';

interface Glyph {
  path: { toSVG(): string };
  advanceWidth: number;
}
interface Font {
  numGlyphs: number;
  unitsPerEm: number;
  familyName: string;
  glyphForCodePoint(cp: number): Glyph;
  hasGlyphForCodePoint(cp: number): boolean;
}
const fontkit = createRequire(import.meta.url)('fontkit') as { create(data: Buffer): Font };

const FILES = path.join(packageDir('@fontsource/noto-serif'), 'files');
const WOFF = fs.readFileSync(path.join(FILES, 'noto-serif-latin-400-italic.woff'));
const TEXT = 'Pride and Prejudice — “It is a truth universally acknowledged…”';

const open = (data: Uint8Array) => fontkit.create(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
/** What a reader draws for each character of `text`. */
const drawn = (font: Font, text: string) => [...text].map((ch) => {
  const g = font.glyphForCodePoint(ch.codePointAt(0)!);
  return `${g.advanceWidth} ${g.path.toSVG()}`;
});

describe('WOFF container', () => {
  it('unpacks a WOFF file into the font fontkit reads from it', () => {
    expect(isWoff(WOFF)).toBe(true);
    const sfnt = woffToSfnt(WOFF);
    expect(isWoff(sfnt)).toBe(false);
    const [a, b] = [open(WOFF), open(sfnt)];
    expect(b.numGlyphs).toBe(a.numGlyphs);
    expect(b.familyName).toBe('Noto Serif');
    expect(drawn(b, TEXT)).toEqual(drawn(a, TEXT));
  });

  it('packs a subset that fontkit reads as the same glyphs, smaller than the font it holds', async () => {
    const subset = new Uint8Array(await subsetFont(Buffer.from(woffToSfnt(WOFF)), TEXT, { targetFormat: 'truetype' }));
    const woff = sfntToWoff(subset);
    expect(isWoff(woff)).toBe(true);
    expect(woff.length % 4).toBe(0);
    expect(woff.length).toBeLessThan(subset.length);
    const [plain, packed] = [open(subset), open(woff)];
    expect(packed.numGlyphs).toBe(plain.numGlyphs);
    expect(packed.numGlyphs).toBeLessThan(open(WOFF).numGlyphs);
    expect(drawn(packed, TEXT)).toEqual(drawn(plain, TEXT));
    expect(packed.hasGlyphForCodePoint('Ж'.codePointAt(0)!)).toBe(false);
    // Unpacked again, every table comes back byte for byte.
    expect(tables(woffToSfnt(woff))).toEqual(tables(subset));
    // The same font gives the same bytes: the EPUB stays reproducible.
    expect(Buffer.from(sfntToWoff(subset)).equals(Buffer.from(woff))).toBe(true);
  });

  it('refuses a file that is not WOFF, and a table whose length does not match', () => {
    expect(() => woffToSfnt(new Uint8Array(64))).toThrow(/Not a WOFF file/);
    const broken = Buffer.from(WOFF);
    // The first table's original length, one byte longer than its data inflates to.
    broken.writeUInt32BE(broken.readUInt32BE(44 + 12) + 1, 44 + 12);
    expect(() => woffToSfnt(broken)).toThrow(/WOFF table .{4} has \d+ bytes, not \d+/);
  });
});

/** An sfnt font's tables by tag, read from its table directory (OpenType, "Table directory"). */
function tables(sfnt: Uint8Array): Record<string, string> {
  const b = Buffer.from(sfnt.buffer, sfnt.byteOffset, sfnt.byteLength);
  const out: Record<string, string> = {};
  for (let i = 0; i < b.readUInt16BE(4); i++) {
    const at = 12 + i * 16;
    const [offset, length] = [b.readUInt32BE(at + 8), b.readUInt32BE(at + 12)];
    out[b.toString('latin1', at, at + 4)] = `${b.readUInt32BE(at + 4)} ${b.subarray(offset, offset + length).toString('base64')}`;
  }
  return out;
}
