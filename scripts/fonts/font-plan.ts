/**
 * Which font faces a PDF edition's layout loads before Paged.js lays out.
 * Paged.js loads every @font-face of the document first (Chunker.loadFonts),
 * so that no font arrives in the middle of a page. fonts.css lists every
 * subset whose unicode-range meets the book's characters, and fontsource's
 * Chinese subsets all overlap ASCII: each layout page of an English novel
 * loaded 37 faces (1.1 MB) to draw with 7. The plan names, per family, the
 * characters it draws: those for which it is the first family of a
 * font-family stack in use whose faces cover the character and have its
 * glyph, as Chromium picks. A character no family draws is given to every
 * family of the stack that covers it, since Chromium tries them all. The
 * page loads the faces that meet the plan (paginate/in-page/font-loads.js);
 * a face it leaves out is still declared, and should Chromium want it after
 * all, it loads it as any browser would.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Element, Root, RootContent } from 'hast';
import type { ParsedChapter, Publication } from '../model.ts';
import type { FontFace } from './font-faces.ts';
import { GlyphCoverage, stackForLang } from './glyph-check.ts';
import { codeVersion } from '../util/code-version.ts';
import { toolFile, toolRoot } from '../util/package-dir.ts';
import { readCacheEntry, writeCacheEntry } from '../write/cache-entry.ts';

/** Family → the code points it draws, as sorted runs [first, last]. */
export type FontPlan = Record<string, Array<[number, number]>>;

/**
 * The font-family stacks of templates/css/base.css (its --font-* properties;
 * tests/font-plan.test.ts reads them there). Serif, sans and mono are always
 * in use: text, headings, code and footnote back-links. The Arabic and the
 * Chinese stacks only where a language written with them appears.
 */
export const CSS_STACKS = {
  serif: ['Noto Serif', 'Noto Naskh Arabic', 'Noto Serif SC'],
  sans: ['Noto Sans', 'Noto Naskh Arabic', 'Noto Serif SC'],
  arabic: ['Noto Naskh Arabic', 'Noto Serif'],
  cjk: ['Noto Serif SC', 'Noto Serif'],
  mono: ['Noto Sans Mono', 'Noto Naskh Arabic', 'Noto Serif SC'],
} as const;

/** The languages of a publication: its own, its chapters', and every `lang` in their text. */
export function languagesOf(pub: Pick<Publication, 'meta'>, chapters: Array<Pick<ParsedChapter, 'lang' | 'tree'>>): Set<string> {
  const langs = new Set<string>([pub.meta.language]);
  const walk = (node: Root | Element) => {
    for (const child of node.children as RootContent[]) {
      if (child.type !== 'element') continue;
      const lang = child.properties?.lang;
      if (typeof lang === 'string' && lang.trim()) langs.add(lang.trim());
      walk(child);
    }
  };
  for (const ch of chapters) {
    langs.add(ch.lang);
    walk(ch.tree);
  }
  return langs;
}

/**
 * With a cache, the plan is kept under everything it is made from (the faces,
 * the characters, the stacks in use, this module and the glyph reader): a
 * rebuild after an edit that brings no new character opens no font file
 * (about 50 ms for the novel). `keep` takes the write, done once the build succeeds.
 */
export function planFontLoads(
  faces: FontFace[],
  codePoints: Iterable<number>,
  languages: Iterable<string>,
  cache?: { dir: string; keep: (write: () => void) => void },
): FontPlan {
  const stacks: Array<readonly string[]> = [CSS_STACKS.serif, CSS_STACKS.sans, CSS_STACKS.mono];
  const used = new Set([...languages].map(stackForLang));
  if (used.has('arabic')) stacks.push(CSS_STACKS.arabic);
  if (used.has('cjk')) stacks.push(CSS_STACKS.cjk);
  const cps = Uint32Array.from(new Set(codePoints)).sort();
  const file =
    cache &&
    path.join(
      cache.dir,
      `${createHash('sha256')
        .update(codeVersion(toolRoot(), [toolFile('scripts', 'fonts', 'font-plan.ts'), toolFile('scripts', 'fonts', 'glyph-check.ts'), toolFile('scripts', 'fonts', 'woff2-cmap.ts')]))
        .update(JSON.stringify([faces.map((f) => [f.family, f.style, f.weight, f.file, f.rangeText]), stacks]))
        .update(cps)
        .digest('hex')}.json`,
    );
  const kept = file && readCacheEntry(file);
  if (kept) {
    try {
      return JSON.parse(kept.toString('utf8')) as FontPlan;
    } catch {
      // Made again below.
    }
  }
  const plan = makePlan(faces, cps, stacks);
  if (file) cache.keep(() => writeCacheEntry(file, JSON.stringify(plan)));
  return plan;
}

function makePlan(faces: FontFace[], cps: Uint32Array, stacks: Array<readonly string[]>): FontPlan {
  const coverage = new GlyphCoverage(faces);
  const drawn = new Map<string, number[]>();
  const give = (family: string, cp: number) => {
    const list = drawn.get(family) ?? [];
    list.push(cp);
    drawn.set(family, list);
  };
  for (const cp of cps) {
    const families = new Set<string>();
    for (const stack of stacks) {
      const family = coverage.drawnBy(cp, stack);
      if (family) families.add(family);
      else for (const f of stack) if (coverage.covers(cp, f)) families.add(f);
    }
    for (const family of families) give(family, cp);
  }
  const plan: FontPlan = {};
  for (const [family, cps] of [...drawn].sort(([a], [b]) => (a < b ? -1 : 1))) plan[family] = runsOf(cps);
  return plan;
}

function runsOf(cps: number[]): Array<[number, number]> {
  const sorted = [...cps].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const cp of sorted) {
    const last = runs[runs.length - 1];
    if (last && cp === last[1] + 1) last[1] = cp;
    else runs.push([cp, cp]);
  }
  return runs;
}
