/**
 * Finds characters that no font of the theme can draw, before they turn into
 * empty boxes ("tofu") on page 212 of a PDF.
 *
 * Chromium picks, for each character, the first family of the element's
 * font-family stack that has an @font-face whose unicode-range covers it and
 * whose file really contains the glyph; a face whose range covers a code point
 * but lacks the glyph (fontsource's "math" and "symbols" subsets are wide
 * ranges with holes) is skipped, not drawn as a box. Since the theme allows no
 * system fallback, a character is missing when no candidate face of any
 * family in theme.json has it. The stack order (by the nearest `lang`, and
 * monospace inside code) only decides which files we open first; the answer
 * does not depend on it, so results are cached per code point.
 *
 * Font files are opened lazily (woff2 decompression is not free: the Chinese
 * family alone has ~200 subset files), only for code points that fall in
 * their unicode-range, and each file at most once per process; their cmap is
 * read by woff2-cmap.ts, and by fontkit for a font that module does not read.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Element, Root, RootContent } from 'hast';
import type { Diagnostic } from '../diagnostics.ts';
import type { ParsedChapter } from '../model.ts';
import { primarySubtag } from '../parse/language.ts';
import { coversCodePoint, type FontFace } from './font-faces.ts';
import { readWoff2CharacterMap, type CharacterMap } from './woff2-cmap.ts';
import { toolFile, toolRoot } from '../util/package-dir.ts';
import { codeVersion } from '../util/code-version.ts';
import { readCacheEntry, writeCacheEntry } from '../write/cache-entry.ts';

/** The one fontkit call we need; fontkit ships no type declarations. */
interface FontkitFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
}
interface Fontkit {
  create(data: Buffer): FontkitFont | { fonts: FontkitFont[] };
}
// Loaded when a font woff2-cmap.ts does not read is opened: most builds need none (fontkit and its Unicode tables take a tenth of a second to load).
let fontkit: Fontkit | undefined;
const openFont = (data: Buffer) => (fontkit ??= createRequire(import.meta.url)('fontkit') as Fontkit).create(data);

export const GLYPH_MISSING = 'GLYPH_MISSING';

const SERIF = 'Noto Serif';
const SANS = 'Noto Sans';
const MONO = 'Noto Sans Mono';
const ARABIC = 'Noto Naskh Arabic';
const CJK = 'Noto Serif SC';

type Stack = 'text' | 'arabic' | 'cjk' | 'mono';

/** Family order per context, mirroring the stacks in templates/css/base.css. */
const STACKS: Record<Stack, string[]> = {
  text: [SERIF, SANS, ARABIC, CJK, MONO],
  arabic: [ARABIC, SERIF, SANS, CJK, MONO],
  cjk: [CJK, SERIF, SANS, ARABIC, MONO],
  mono: [MONO, SERIF, SANS, ARABIC, CJK],
};

const ARABIC_SCRIPT_LANGUAGES = new Set(['ar', 'fa', 'ug', 'ur']);
const CJK_LANGUAGES = new Set(['zh', 'ja']);

export function stackForLang(lang: string): Stack {
  const primary = primarySubtag(lang);
  if (CJK_LANGUAGES.has(primary)) return 'cjk';
  if (ARABIC_SCRIPT_LANGUAGES.has(primary)) return 'arabic';
  return 'text';
}

/** Default-ignorable code points: drawn as nothing, so never a missing glyph. */
const IGNORABLE: Array<[number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xe0000, 0xe0fff],
];

export function isIgnorable(cp: number): boolean {
  if (IGNORABLE.some(([a, b]) => cp >= a && cp <= b)) return true;
  return /[\s\p{Cc}]/u.test(String.fromCodePoint(cp));
}

/** "U+2E3A" — four hex digits at least, as Unicode writes them. */
export function codePointLabel(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

const openFonts = new Map<string, CharacterMap[]>();

function fontsOf(file: string): CharacterMap[] {
  let fonts = openFonts.get(file);
  if (!fonts) {
    const data = fs.readFileSync(file);
    const own = readWoff2CharacterMap(data);
    if (own) fonts = [own];
    else {
      const opened = openFont(data);
      fonts = ('fonts' in opened ? opened.fonts : [opened]).map((font) => ({ has: (cp: number) => font.hasGlyphForCodePoint(cp) }));
    }
    openFonts.set(file, fonts);
  }
  return fonts;
}

/**
 * A checker bound to one set of faces: `has(cp, stack)` answers whether some
 * face draws the code point, caching per code point.
 */
export class GlyphCoverage {
  private readonly byFamily = new Map<string, FontFace[]>();
  private readonly cache = new Map<number, boolean>();

  constructor(faces: FontFace[]) {
    for (const f of faces) {
      const list = this.byFamily.get(f.family) ?? [];
      list.push(f);
      this.byFamily.set(f.family, list);
    }
    // Regular upright faces first: they exist for every family and usually settle the question.
    for (const list of this.byFamily.values()) {
      list.sort((a, b) => rank(a) - rank(b));
    }
  }

  /** The families to try, in order: the stack's own, then any other family of the theme. */
  private families(stack: Stack): string[] {
    const order = STACKS[stack];
    const others = [...this.byFamily.keys()].filter((f) => !order.includes(f)).sort();
    return [...order, ...others];
  }

  has(cp: number, stack: Stack = 'text'): boolean {
    const known = this.cache.get(cp);
    if (known !== undefined) return known;
    let found = false;
    search: for (const family of this.families(stack)) {
      for (const face of this.byFamily.get(family) ?? []) {
        if (!coversCodePoint(face, cp)) continue;
        if (fontsOf(face.file).some((font) => font.has(cp))) {
          found = true;
          break search;
        }
      }
    }
    this.cache.set(cp, found);
    return found;
  }

  /** The first of `families` with a face that covers the code point and has its glyph, as Chromium picks in a font-family stack. */
  drawnBy(cp: number, families: readonly string[]): string | undefined {
    for (const family of families) {
      for (const face of this.byFamily.get(family) ?? []) {
        if (coversCodePoint(face, cp) && fontsOf(face.file).some((font) => font.has(cp))) return family;
      }
    }
    return undefined;
  }

  /** Whether some face of `family` covers the code point by its unicode-range (glyph or not). */
  covers(cp: number, family: string): boolean {
    return (this.byFamily.get(family) ?? []).some((face) => coversCodePoint(face, cp));
  }
}

function rank(face: FontFace): number {
  return (face.style === 'normal' ? 0 : 2) + (face.weight === '400' ? 0 : 1);
}

interface Miss {
  cp: number;
  line: number | undefined;
}

/**
 * Warnings for characters of the chapters' text (body and title) that no font
 * of the theme has: one per file and code point, at the first line it occurs.
 *
 * `faces` are all candidate faces (readFontFaces of every family in
 * theme.json), not only the subsets selected for the book.
 */
export function checkGlyphs(
  chapters: ParsedChapter[],
  faces: FontFace[],
  displayPath: (abs: string) => string,
  /**
   * Where each chapter's warnings are kept between builds, under the key it
   * was parsed by (ParsedChapter.key), the faces and this module: a rebuild
   * checks only the chapters that changed. `keep` takes the writes of new
   * entries, to be done once the build succeeds.
   */
  cache?: { dir: string; keep: (write: () => void) => void },
): Diagnostic[] {
  const coverage = new GlyphCoverage(faces);
  const diagnostics: Diagnostic[] = [];
  // This module and its dependencies (fontkit) make the warnings, from these faces.
  const shared = cache && createHash('sha256').update(codeVersion(toolRoot(), [toolFile('scripts', 'fonts', 'glyph-check.ts')])).update(JSON.stringify(faces)).digest('hex');
  const entry = (ch: ParsedChapter) => (cache && ch.key ? path.join(cache.dir, `${createHash('sha256').update(shared!).update(ch.key).digest('hex')}.json.gz`) : undefined);
  // Asked once per code point, not once per character of the book (a regular expression each time).
  const ignorable = new Map<number, boolean>();
  const ignored = (cp: number) => {
    let answer = ignorable.get(cp);
    if (answer === undefined) ignorable.set(cp, (answer = isIgnorable(cp)));
    return answer;
  };

  // Code points of the Basic Multilingual Plane known to be drawn (or drawn as nothing), whatever the stack.
  const drawn = new Uint8Array(0x10000);
  // With a cache they are kept too: a rebuild checks the chapters that changed
  // against them, and opens a font file (loading fontkit) only for a character new to the book.
  const drawnFile = shared && path.join(cache.dir, `${shared}.drawn.gz`);
  if (drawnFile) readDrawn(drawnFile, drawn);
  let added = false;

  for (const chapter of chapters) {
    const file = entry(chapter);
    const kept = file && readCacheEntry(file);
    if (kept) {
      try {
        diagnostics.push(...(JSON.parse(zlib.gunzipSync(kept).toString('utf8')) as Diagnostic[]));
        continue;
      } catch {
        // Checked again below.
      }
    }
    const first = diagnostics.length;
    const misses = new Map<number, Miss>();
    const offset = chapter.source.bodyStartLine - 1;
    const note = (text: string, stack: Stack, line: number | undefined) => {
      for (let i = 0; i < text.length; i++) {
        // Most characters were seen already: one array lookup (no surrogate is ever marked).
        if (drawn[text.charCodeAt(i)]) continue;
        const cp = text.codePointAt(i)!;
        if (cp > 0xffff) i++;
        if (misses.has(cp)) continue;
        if (ignored(cp) || coverage.has(cp, stack)) {
          if (cp < 0xd800 || (cp > 0xdfff && cp <= 0xffff)) {
            drawn[cp] = 1;
            added = true;
          }
          continue;
        }
        misses.set(cp, { cp, line });
      }
    };

    const walk = (node: Root | RootContent, stack: Stack, line: number | undefined) => {
      const own = node.position?.start.line;
      const here = own === undefined ? line : own + offset;
      if (node.type === 'text') {
        note(node.value, stack, here);
        return;
      }
      if (node.type !== 'element' && node.type !== 'root') return;
      let next = stack;
      if (node.type === 'element') next = stackOf(node, stack);
      for (const child of node.children) walk(child, next, here);
    };
    walk(chapter.tree, stackForLang(chapter.lang), undefined);
    // The title is drawn in the chapter's language (and in running heads and the contents).
    note([chapter.title, chapter.subtitle ?? ''].join(' '), stackForLang(chapter.lang), undefined);

    for (const miss of [...misses.values()]) {
      const ch = String.fromCodePoint(miss.cp);
      const line = miss.line ?? lineOf(chapter, ch);
      diagnostics.push({
        severity: 'warning',
        code: GLYPH_MISSING,
        message: `No font of the theme has a glyph for ${codePointLabel(miss.cp)} "${ch}"; it will print as an empty box.`,
        file: displayPath(chapter.source.file),
        line,
        hint: 'Replace the character, or add a font family that covers it to templates/theme.json.',
      });
    }
    if (file) {
      const own = JSON.stringify(diagnostics.slice(first));
      cache!.keep(() => writeCacheEntry(file, zlib.gzipSync(own, { level: 1 })));
    }
  }
  if (drawnFile && added) {
    const bytes = zlib.gzipSync(drawn, { level: 1 });
    cache.keep(() => writeCacheEntry(drawnFile, bytes));
  }
  return diagnostics;
}

/** The code points kept as drawn, into `drawn`; an entry that cannot be read is left out. */
function readDrawn(file: string, drawn: Uint8Array): void {
  const kept = readCacheEntry(file);
  if (!kept) return;
  try {
    const bytes = zlib.gunzipSync(kept);
    if (bytes.length === drawn.length) drawn.set(bytes);
  } catch {
    // Found again as the chapters are checked.
  }
}

function stackOf(node: Element, inherited: Stack): Stack {
  if (node.tagName === 'code' || node.tagName === 'pre' || node.tagName === 'kbd' || node.tagName === 'samp') return 'mono';
  if (inherited === 'mono') return 'mono';
  const lang = node.properties.lang;
  return typeof lang === 'string' && lang.trim() ? stackForLang(lang) : inherited;
}

/** For text without a position (titles, generated text): the first line of the file that holds the character. */
function lineOf(chapter: ParsedChapter, ch: string): number | undefined {
  const bodyLines = chapter.source.body.split('\n');
  const i = bodyLines.findIndex((l) => l.includes(ch));
  if (i >= 0) return i + chapter.source.bodyStartLine;
  try {
    const j = fs.readFileSync(chapter.source.file, 'utf8').split('\n').findIndex((l) => l.includes(ch));
    return j >= 0 ? j + 1 : undefined;
  } catch {
    return undefined;
  }
}
