/**
 * Fonts come from @fontsource packages, never from the system, so a book looks
 * the same on every machine. Fontsource splits each family into unicode-range
 * subsets; we pick only the subsets the book's text needs, which keeps the web
 * edition small and lets a Chinese quotation cost a few files, not a hundred.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageDir } from '../util/package-dir.ts';

export interface FontFamilySpec {
  /** CSS family name as fontsource declares it. */
  family: string;
  /** npm package, e.g. "@fontsource/noto-serif". */
  package: string;
  /** CSS files of the package to use, e.g. ["400.css", "400-italic.css", "700.css"]. */
  files: string[];
}

export interface FontFace {
  family: string;
  style: string;
  weight: string;
  /** Absolute path of the woff2 file. */
  file: string;
  /** Inclusive code point ranges. */
  ranges: Array<[number, number]>;
  /** The unicode-range descriptor as written. */
  rangeText: string;
}


// Fontsource CSS is machine-generated with one fixed shape per block, so a
// small pattern reader is enough; a full CSS parser would add nothing here.
const FACE_RE = /@font-face\s*{([^}]*)}/g;
const descriptor = (block: string, name: string): string | undefined =>
  new RegExp(`${name}\\s*:\\s*([^;]+);`).exec(block)?.[1]?.trim();

// One pass of one pattern: the Chinese family alone declares some eighteen thousand ranges.
const RANGE_RE = /(?:U\+)?([0-9a-f?]+)(?:-([0-9a-f]+))?/gi;

export function parseUnicodeRange(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const [, a, b] of text.matchAll(RANGE_RE)) {
    if (a.includes('?')) ranges.push([parseInt(a.replace(/\?/g, '0'), 16), parseInt(a.replace(/\?/g, 'F'), 16)]);
    else ranges.push([parseInt(a, 16), parseInt(b ?? a, 16)]);
  }
  return ranges;
}

export function readFontFaces(spec: FontFamilySpec): FontFace[] {
  const dir = packageDir(spec.package);
  const faces: FontFace[] = [];
  for (const cssFile of spec.files) {
    const css = fs.readFileSync(path.join(dir, cssFile), 'utf8');
    for (const m of css.matchAll(FACE_RE)) {
      const block = m[1];
      const src = /url\(([^)]+\.woff2)\)/.exec(block)?.[1];
      const rangeText = descriptor(block, 'unicode-range');
      if (!src || !rangeText) continue;
      faces.push({
        family: spec.family,
        style: descriptor(block, 'font-style') ?? 'normal',
        weight: descriptor(block, 'font-weight') ?? '400',
        file: path.resolve(dir, src.replace(/^['"]|['"]$/g, '')),
        ranges: parseUnicodeRange(rangeText),
        rangeText,
      });
    }
  }
  return faces;
}

export function coversCodePoint(face: FontFace, cp: number): boolean {
  return face.ranges.some(([a, b]) => cp >= a && cp <= b);
}

/** Faces whose unicode-range meets at least one of the given code points. */
export function selectFaces(faces: FontFace[], codePoints: Set<number>): FontFace[] {
  // Each range looked up in the sorted code points (the theme has a few hundred
  // faces, the Chinese family alone two hundred, each with several ranges).
  const sorted = Uint32Array.from(codePoints).sort();
  const meets = ([a, b]: [number, number]) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < a) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo] <= b;
  };
  return faces.filter((f) => f.ranges.some(meets));
}

/** @font-face rules pointing at `urlFor(face)` (a path relative to the stylesheet). */
export function fontFaceCss(faces: FontFace[], urlFor: (face: FontFace) => string): string {
  return faces
    .map(
      (f) =>
        `@font-face {\n  font-family: '${f.family}';\n  font-style: ${f.style};\n  font-weight: ${f.weight};\n` +
        `  font-display: block;\n  src: url('${urlFor(f)}') format('woff2');\n  unicode-range: ${f.rangeText};\n}`,
    )
    .join('\n');
}

/**
 * Every code point used in the given strings, plus printable ASCII, which
 * running heads and folios need (`ascii: false`: the strings' own alone).
 */
export function codePointsOf(texts: Iterable<string>, options: { ascii?: boolean } = {}): Set<number> {
  const set = new Set<number>();
  // A book repeats a few hundred characters: one array lookup for each
  // character of the Basic Multilingual Plane already seen (a tenth of the
  // time of the string iterator and a set for every character of the novel).
  // Surrogates are never marked, so that each pair is read as its code point.
  const seen = new Uint8Array(0x10000);
  if (options.ascii ?? true) {
    for (let c = 0x20; c < 0x7f; c++) {
      set.add(c);
      seen[c] = 1;
    }
  }
  for (const t of texts) {
    for (let i = 0; i < t.length; i++) {
      if (seen[t.charCodeAt(i)]) continue;
      const cp = t.codePointAt(i)!;
      set.add(cp);
      if (cp > 0xffff) i++;
      else if (cp < 0xd800 || cp > 0xdfff) seen[cp] = 1;
    }
  }
  return set;
}
