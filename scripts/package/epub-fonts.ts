/**
 * The theme's fonts inside the EPUB. Fontsource ships each family as
 * unicode-range subsets in WOFF2, which Kobo and older reading systems do not
 * read; subset-font (HarfBuzz) cuts every subset the book's text meets down
 * to the characters actually used and writes WOFF (Kobo reads TTF, OTF and
 * WOFF; EPUB 3 lists WOFF as a core media type). HarfBuzz cannot merge fonts,
 * so a family/weight/style may have several files, declared with their
 * unicode-range; the one holding most of the text is declared last, because a
 * reading system that ignores unicode-range uses the last matching rule.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { readCacheEntry, writeCacheEntry } from '../write/cache-entry.ts';
import { toolFile, toolRoot } from '../util/package-dir.ts';
import { codeVersion } from '../util/code-version.ts';
import { codePointsOf, coversCodePoint, readFontFaces, type FontFace, type FontFamilySpec } from '../fonts/font-faces.ts';
import type { EpubAsset } from './epub.ts';
import { isWoff, sfntToWoff, woffToSfnt } from './woff.ts';

export interface EmbeddedFonts {
  assets: EpubAsset[];
  css: string;
}

/** Characters a reading system may add itself (hyphenation) and must find in the same font. */
const ALWAYS = ' \u00A0-\u2010\u00AD';

/**
 * With `cacheDir`, each subset is kept by its source font, its characters and
 * the subsetter's version: a rebuild whose text meets the same characters
 * (most edits) subsets nothing (the novel's fonts take a fifth of a second).
 */
export async function embedFonts(specs: FontFamilySpec[], text: string, cache?: FontCache): Promise<EmbeddedFonts> {
  // The text's characters, those only: a book's EPUB embeds the glyphs it shows.
  const used = codePointsOf([text, ALWAYS], { ascii: false });
  const picked = pickedFaces(specs, used, cache);
  const assets: EpubAsset[] = [];
  const rules: Array<{ key: string; weight: number; rule: string }> = [];
  for (const { face, cps } of picked) {
    const woff = face.file.replace(/\.woff2$/, '.woff');
    const source = fs.readFileSync(fs.existsSync(woff) ? woff : face.file);
    const data = await subset(source, cps, cache);
    const href = `fonts/${path.basename(woff)}`;
    assets.push({ href, mediaType: 'font/woff', data });
    rules.push({
      key: `${face.family}|${face.weight}|${face.style}`,
      weight: cps.length,
      rule:
        `@font-face {\n  font-family: '${face.family}';\n  font-style: ${face.style};\n  font-weight: ${face.weight};\n` +
        `  src: url('${href}') format('woff');\n  unicode-range: ${face.rangeText};\n}`,
    });
  }
  const keys = [...new Set(rules.map((r) => r.key))];
  const css = keys
    .flatMap((k) =>
      rules
        .filter((r) => r.key === k)
        .sort((a, b) => a.weight - b.weight)
        .map((r) => r.rule),
    )
    .join('\n');
  return { assets: assets.sort((a, b) => a.href.localeCompare(b.href)), css };
}

/** A face to embed and the text's characters it covers. */
type Picked = { face: Pick<FontFace, 'family' | 'style' | 'weight' | 'file' | 'rangeText'>; cps: number[] };

/**
 * The faces the text needs, each with the characters it covers. With a
 * cache, kept under the characters, the families, the tool's folder and
 * this module: a rebuild whose text has the same characters reads no
 * fontsource stylesheet and compares no ranges (the Chinese family alone
 * declares some eighteen thousand).
 */
function pickedFaces(specs: FontFamilySpec[], used: Set<number>, cache?: FontCache): Picked[] {
  const file =
    cache &&
    path.join(
      cache.dir,
      'faces',
      `${createHash('sha256')
        .update(codeVersion(toolRoot(), [toolFile('scripts', 'package', 'epub-fonts.ts'), toolFile('scripts', 'fonts', 'font-faces.ts')]))
        .update(JSON.stringify([toolRoot(), specs]))
        .update(Uint32Array.from(used).sort())
        .digest('hex')}.json`,
    );
  const kept = file && readCacheEntry(file);
  if (kept) {
    try {
      const list = JSON.parse(kept.toString('utf8')) as Picked[];
      if (list.every((p) => fs.existsSync(p.face.file))) return list;
    } catch {
      // Picked again below.
    }
  }
  const picked = pickFaces(specs, used);
  if (file) {
    const entry = JSON.stringify(picked.map(({ face: { family, style, weight, file: f, rangeText }, cps }) => ({ face: { family, style, weight, file: f, rangeText }, cps })));
    keep(cache!, () => writeCacheEntry(file, entry));
  }
  return picked;
}

function pickFaces(specs: FontFamilySpec[], used: Set<number>): Picked[] {
  const families = specs.map((spec) => ({ spec, faces: readFontFaces(spec) }));
  const primary = families[0]?.faces ?? [];
  const picked: Picked[] = [];
  for (const [i, { faces }] of families.entries()) {
    // A family that exists for another script (Arabic, Chinese) and sits behind the primary family
    // in the stacks is needed only when the text has characters the primary family cannot draw.
    if (i > 0 && isScriptFamily(faces, primary) && ![...used].some((cp) => covers(faces, cp) && !covers(primary, cp))) continue;
    for (const face of faces) {
      const cps = [...used].filter((cp) => coversCodePoint(face, cp)).sort((a, b) => a - b);
      // Spaces and hyphens alone do not make a face worth shipping.
      if (cps.some((cp) => !ALWAYS.includes(String.fromCodePoint(cp)))) picked.push({ face, cps });
    }
  }
  return picked;
}

let subsetterHash: string | undefined;
/** subset-font's and HarfBuzz's versions, as locked, with the WOFF writer and the zlib it deflates with. */
function subsetterVersion(): string {
  return (subsetterHash ??= createHash('sha256')
    .update(codeVersion(toolRoot(), [toolFile('scripts', 'package', 'woff.ts')]))
    .update(process.versions.zlib ?? '')
    .digest('hex'));
}

export interface FontCache {
  dir: string;
  /** Takes the writes of new subsets, to be done once the build succeeds; at once without. */
  keep?: (write: () => void) => void;
}

/** A write to the cache: handed to its `keep`, or done at once. */
function keep(cache: FontCache, write: () => void): void {
  if (cache.keep) cache.keep(write);
  else write();
}

async function subset(source: Buffer, cps: number[], cache?: FontCache): Promise<Uint8Array> {
  const file = cache
    ? path.join(cache.dir, `${createHash('sha256').update(subsetterVersion()).update(source).update(cps.join(',')).digest('hex')}.woff`)
    : undefined;
  const kept = file && readCacheEntry(file);
  if (kept) return new Uint8Array(kept);
  // HarfBuzz reads and writes TrueType; the WOFF container is unpacked and made with Node's zlib (woff.ts).
  const font = isWoff(source) ? woffToSfnt(source) : source;
  // HarfBuzz's WebAssembly is compiled on the first subset, baseline tier only:
  // V8's optimising tier stalls the main thread about 0.4 s compiling code
  // that a build then runs for less than that (the novel's EPUB 0.98 -> 0.51 s,
  // the multilingual sampler's 1.4-2.0 -> 1.0-1.1 s; same bytes). The flag
  // touches only WebAssembly compiled later in this process, and HarfBuzz is
  // the only WebAssembly Colophon runs; setting it again is a no-op.
  v8.setFlagsFromString('--liftoff-only');
  // Loaded only for a subset the cache has not: subset-font and the converters it loads take 40 ms to load.
  const { default: subsetFont } = await import('subset-font');
  const data = sfntToWoff(await subsetFont(Buffer.from(font.buffer, font.byteOffset, font.byteLength), String.fromCodePoint(...cps), { targetFormat: 'truetype' }));
  if (file) keep(cache!, () => writeCacheEntry(file, data));
  return data;
}

function covers(faces: FontFace[], cp: number): boolean {
  return faces.some((f) => coversCodePoint(f, cp));
}

/**
 * A family for another script: more of its coverage lies outside the primary family's than inside
 * (Noto Naskh Arabic, Noto Serif SC), unlike a second Latin family such as the sans or the mono.
 */
function isScriptFamily(faces: FontFace[], primary: FontFace[]): boolean {
  const own = mergeRanges(faces.flatMap((f) => f.ranges));
  const shared = overlap(own, mergeRanges(primary.flatMap((f) => f.ranges)));
  return size(own) - shared > shared;
}

/** Inclusive code point ranges, sorted and merged: a family's coverage counted once. */
function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function size(ranges: Array<[number, number]>): number {
  return ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
}

/** How many code points two merged range lists share. */
function overlap(x: Array<[number, number]>, y: Array<[number, number]>): number {
  let n = 0;
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    const lo = Math.max(x[i][0], y[j][0]);
    const hi = Math.min(x[i][1], y[j][1]);
    if (lo <= hi) n += hi - lo + 1;
    if (x[i][1] < y[j][1]) i++;
    else j++;
  }
  return n;
}

/** The characters of XHTML documents: text content, with markup dropped and character references decoded. */
export function textOfXhtml(xhtml: string): string {
  return xhtml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_m, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[n as 'amp']);
}
