/**
 * The WOFF2 character map reader, checked against fontkit on the fonts the
 * theme ships: the same answer for every code point each face declares, and
 * for code points around and beyond its ranges.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readFontFaces, type FontFamilySpec } from '../scripts/fonts/font-faces.ts';
import { readWoff2CharacterMap } from '../scripts/fonts/woff2-cmap.ts';
import { ROOT } from './helpers/build.ts';

const fontkit = createRequire(import.meta.url)('fontkit') as { create(data: Buffer): { hasGlyphForCodePoint(cp: number): boolean } };
const themeFonts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'theme.json'), 'utf8')) as { fonts: FontFamilySpec[] }).fonts;
const FACES = themeFonts.flatMap(readFontFaces);
// Every face but the Chinese family's two hundred, and every tenth of those.
const cjk = FACES.filter((f) => f.family.includes('SC'));
const SAMPLE = [...FACES.filter((f) => !cjk.includes(f)), ...cjk.filter((_, i) => i % 10 === 0)];

describe('readWoff2CharacterMap', () => {
  it('reads every font file of the theme', () => {
    for (const face of FACES) expect(readWoff2CharacterMap(fs.readFileSync(face.file)), face.file).toBeDefined();
  });

  it('answers as fontkit does for the code points of each face, and around them', () => {
    expect(SAMPLE.length).toBeGreaterThan(40);
    let checked = 0;
    let mapped = 0;
    for (const face of SAMPLE) {
      const data = fs.readFileSync(face.file);
      const own = readWoff2CharacterMap(data)!;
      const font = fontkit.create(data);
      const cps = new Set<number>([0, 0x20, 0x41, 0xffff, 0x10000, 0x1f600, 0x10ffff]);
      for (const [a, b] of face.ranges) for (let cp = Math.max(0, a - 2); cp <= Math.min(0x10ffff, b + 2); cp++) cps.add(cp);
      for (const cp of cps) {
        const expected = font.hasGlyphForCodePoint(cp);
        if (own.has(cp) !== expected) expect({ file: face.file, cp, has: own.has(cp) }).toEqual({ file: face.file, cp, has: expected });
        checked++;
        if (expected) mapped++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(mapped).toBeGreaterThan(5_000);
  });

  it('gives nothing for what is not a WOFF2 font, so that fontkit answers', () => {
    const woff2 = fs.readFileSync(FACES[0].file);
    expect(readWoff2CharacterMap(new Uint8Array(10))).toBeUndefined();
    expect(readWoff2CharacterMap(zlib.gzipSync(woff2))).toBeUndefined();
    // A collection ('ttcf' flavour) has a directory of fonts this reader does not walk.
    const collection = Uint8Array.from(woff2);
    collection.set([0x74, 0x74, 0x63, 0x66], 4);
    expect(readWoff2CharacterMap(collection)).toBeUndefined();
  });
});
