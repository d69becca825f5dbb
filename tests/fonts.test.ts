/**
 * The glyph check: characters no font of the theme can draw are reported with
 * file, line and code point before they print as empty boxes.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkGlyphs, codePointLabel, GLYPH_MISSING, isIgnorable } from '../scripts/fonts/glyph-check.ts';
import { codePointsOf, coversCodePoint, parseUnicodeRange, readFontFaces, selectFaces, type FontFamilySpec } from '../scripts/fonts/font-faces.ts';
import type { ChapterFrontMatter } from '../scripts/model.ts';
import { parseChapter } from '../scripts/parse/parse-chapter.ts';
import { loadPublication } from '../scripts/load/load-publication.ts';
import { parsePublication } from '../scripts/parse/parse-publication.ts';
import { createContext } from '../scripts/context.ts';
import { FIXTURES, ROOT } from './helpers/build.ts';

const PUB = path.join(os.tmpdir(), 'colophon-fonts-unused');
const FILE = path.join(PUB, 'chapter.md');
const display = (abs: string) => path.relative(PUB, abs);

const themeFonts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'theme.json'), 'utf8')) as { fonts: FontFamilySpec[] }).fonts;
const FACES = themeFonts.flatMap(readFontFaces);

const fontkit = createRequire(import.meta.url)('fontkit') as { openSync(file: string): { hasGlyphForCodePoint(cp: number): boolean } };

/** A parsed chapter whose Markdown body starts on line `bodyStartLine` of its file (after front matter). */
function chapter(body: string, frontMatter: ChapterFrontMatter = {}, bodyStartLine = 4) {
  return parseChapter(
    { file: FILE, relPath: 'chapter.md', frontMatter, body, bodyStartLine },
    { publicationDir: PUB, bookLanguage: 'en', index: 0, displayPath: display },
  ).chapter;
}

// U+2A6D6, the last ideograph of CJK Extension B: outside every Noto Serif SC subset.
const RARE = 0x2a6d6;
const RARE_CHAR = String.fromCodePoint(RARE);

describe('checkGlyphs', () => {
  it('has no font with the rare ideograph (checked with fontkit, not assumed)', () => {
    const covering = FACES.filter((f) => coversCodePoint(f, RARE));
    expect(covering.filter((f) => fontkit.openSync(f.file).hasGlyphForCodePoint(RARE))).toEqual([]);
    // And the check is real: a common ideograph is found in a Noto Serif SC subset.
    const common = FACES.filter((f) => f.family === 'Noto Serif SC' && coversCodePoint(f, 0x4e4c));
    expect(common.some((f) => fontkit.openSync(f.file).hasGlyphForCodePoint(0x4e4c))).toBe(true);
  });

  it('warns about a character no font has, naming file, line and code point', () => {
    const body = `First paragraph.\n\nThe name <span lang="zh-Hans">乌鲁${RARE_CHAR}木齐</span> is rare.\n\nAgain: ${RARE_CHAR}.`;
    const diagnostics = checkGlyphs([chapter(body)], FACES, display);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d.severity).toBe('warning');
    expect(d.code).toBe(GLYPH_MISSING);
    expect(d.file).toBe('chapter.md');
    // Body line 3, and the body starts on line 4 of the file.
    expect(d.line).toBe(6);
    expect(d.message).toContain('U+2A6D6');
    expect(d.message).toContain(RARE_CHAR);
  });

  it('warns in every chapter that has the character, however much drawable text came before', () => {
    // The second chapter's text is all seen before (known drawable) but for the rare character and a lone surrogate.
    const first = chapter(`Plain text, then ${RARE_CHAR}.`);
    const second = { ...chapter(`Plain text.\n\nThen ${RARE_CHAR} and \uD800 alone.`), id: 'ch-02' };
    const diagnostics = checkGlyphs([first, second], FACES, display);
    expect(diagnostics.map((d) => [d.line, /U\+[0-9A-F]+/.exec(d.message)?.[0]])).toEqual([
      [4, 'U+2A6D6'],
      [6, 'U+2A6D6'],
      [6, 'U+D800'],
    ]);
  });

  it('says nothing about plain text in every script of the theme', () => {
    const body = [
      'Plain English with “quotes”, an ellipsis… and a dash — fine.',
      '',
      'Русский текст «в кавычках» и қазақша: ә ғ қ ң ө ұ ү һ і.',
      '',
      '<p lang="ug" dir="rtl">ئۈرۈمچى شىنجاڭنىڭ ئەڭ چوڭ شەھىرى.</p>',
      '',
      '<p lang="zh-Hans">乌鲁木齐是新疆的首府。</p>',
      '',
      '```',
      'const x = 1; // code',
      '```',
      '',
      'Soft\u00ADhyphen, zero\u200Bwidth, joiner\u200D and a BOM\uFEFF are ignorable.',
    ].join('\n');
    expect(checkGlyphs([chapter(body, { title: 'A “title”' })], FACES, display)).toEqual([]);
  });

  it('checks the title too, one warning per file and code point', () => {
    const diagnostics = checkGlyphs(
      [chapter(`Text ${RARE_CHAR} and ${RARE_CHAR}.`, { title: `Title ${RARE_CHAR}` })],
      FACES,
      display,
    );
    expect(diagnostics.map((d) => [d.file, d.line, d.message])).toEqual([
      ['chapter.md', 4, expect.stringContaining('U+2A6D6') as string],
    ]);
  });

  it('knows default-ignorable and white-space code points', () => {
    for (const cp of [0xad, 0x200b, 0x200d, 0x2066, 0xfe0f, 0xfeff, 0xe0001, 0x20, 0x0a, 0xa0]) expect(isIgnorable(cp), codePointLabel(cp)).toBe(true);
    for (const cp of [0x41, 0x4e4c, RARE, 0x2e3a]) expect(isIgnorable(cp), codePointLabel(cp)).toBe(false);
    expect(codePointLabel(0x2e3a)).toBe('U+2E3A');
  });

  it('checks the 122,000-word novel, each warning with its line', async () => {
    const dir = path.join(FIXTURES, 'novel');
    const pub = await loadPublication(dir);
    const chapters = await parsePublication(pub, createContext({ input: dir, outDir: 'unused', formats: [] }));
    const diagnostics = checkGlyphs(chapters, FACES, (p) => p);
    expect(diagnostics.every((d) => d.code === GLYPH_MISSING && d.line !== undefined)).toBe(true);
  }, 120_000);
});

/** A glyph cache in a folder of its own, with the writes a build would make once it succeeds; removed after `run`. */
function withGlyphCache(run: (dir: string, cache: { dir: string; keep: (write: () => void) => void }, writes: Array<() => void>) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-glyph-cache-'));
  try {
    const writes: Array<() => void> = [];
    run(dir, { dir, keep: (write) => writes.push(write) }, writes);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('checkGlyphs with a cache', () => {
  it('keeps each chapter’s warnings by its parse key and reads them back in the next build', () => {
    withGlyphCache((dir, cache, writes) => {
      const rare = { ...chapter(`A rare ideograph: ${RARE_CHAR}.`), key: 'chapter-one' };
      const first = checkGlyphs([rare], FACES, display, cache);
      expect(first.map((d) => d.code)).toEqual([GLYPH_MISSING]);
      // Nothing is written until the build succeeds.
      expect(fs.readdirSync(dir)).toEqual([]);
      for (const write of writes) write();
      const [entry] = fs.readdirSync(dir).filter((f) => !f.endsWith('.drawn.gz'));
      expect(entry).toBeDefined();
      // The next build reads the entry (overwritten here, so that the test can tell).
      const marker = { severity: 'warning', code: 'KEPT', message: 'kept' };
      fs.writeFileSync(path.join(dir, entry), zlib.gzipSync(JSON.stringify([marker])));
      expect(checkGlyphs([rare], FACES, display, cache)).toEqual([marker]);
      // Another key (the chapter changed): checked again.
      expect(checkGlyphs([{ ...rare, key: 'chapter-one-edited' }], FACES, display, cache).map((d) => d.code)).toEqual([GLYPH_MISSING]);
    });
  });
});

describe('checkGlyphs with a cache of drawn characters', () => {
  it('keeps the characters found drawn, and checks a changed chapter against them without opening a font', () => {
    withGlyphCache((dir, cache, writes) => {
      // U+E000, a private-use character: no font of the theme has it.
      const odd = { ...chapter('Plain words, then \uE000.'), key: 'odd' };
      expect(checkGlyphs([odd], FACES, display, cache).map((d) => d.code)).toEqual([GLYPH_MISSING]);
      checkGlyphs([{ ...chapter('Plain words.'), key: 'plain' }], FACES, display, cache);
      for (const write of writes.splice(0)) write();
      const [drawnFile] = fs.readdirSync(dir).filter((f) => f.endsWith('.drawn.gz'));
      const drawn = zlib.gunzipSync(fs.readFileSync(path.join(dir, drawnFile)));
      expect(drawn.length).toBe(0x10000);
      expect([...'Plain words.'].every((c) => drawn[c.charCodeAt(0)] === 1)).toBe(true);
      expect(drawn[0xe000]).toBe(0);
      // Marked drawn in the kept set (as if a font had it): the next check takes the set's word for it.
      drawn[0xe000] = 1;
      fs.writeFileSync(path.join(dir, drawnFile), zlib.gzipSync(drawn));
      expect(checkGlyphs([{ ...odd, key: 'odd-edited' }], FACES, display, cache)).toEqual([]);
      expect(checkGlyphs([{ ...odd, key: 'odd-edited' }], FACES, display).map((d) => d.code)).toEqual([GLYPH_MISSING]);
    });
  });
});

describe('embedFonts with a cache', () => {
  it('keeps each subset by its font and characters, and uses the kept one in the next build', async () => {
    const { embedFonts } = await import('../scripts/package/epub-fonts.ts');
    const specs: FontFamilySpec[] = [{ family: 'Noto Serif', package: '@fontsource/noto-serif', files: ['400.css'] }];
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-font-cache-'));
    try {
      const text = 'A line of English, and a little Русский текст.';
      const fresh = await embedFonts(specs, text);
      const first = await embedFonts(specs, text, { dir: cache });
      expect(first.assets.map((a) => Buffer.from(a.data).toString('hex'))).toEqual(fresh.assets.map((a) => Buffer.from(a.data).toString('hex')));
      const kept = fs.readdirSync(cache).filter((name) => name.endsWith('.woff'));
      expect(kept.length).toBe(first.assets.length);
      // Which faces the text needs is kept too, by its characters.
      expect(fs.readdirSync(path.join(cache, 'faces'))).toHaveLength(1);
      // The next build reads the kept subsets (overwritten here, so that the test can tell).
      for (const name of kept) fs.writeFileSync(path.join(cache, name), 'kept');
      const again = await embedFonts(specs, text, { dir: cache });
      expect(again.assets.every((a) => Buffer.from(a.data).toString() === 'kept')).toBe(true);
      // Other characters: another subset, and another choice of faces.
      const other = await embedFonts(specs, `${text} Ωμέγα`, { dir: cache });
      expect(other.assets.some((a) => Buffer.from(a.data).toString() !== 'kept')).toBe(true);
      expect(fs.readdirSync(path.join(cache, 'faces'))).toHaveLength(2);
      // The kept choice is what is used: one emptied by hand embeds no font, and one that cannot be read is made again.
      const [choice] = fs.readdirSync(path.join(cache, 'faces')).filter((name) => !fs.readFileSync(path.join(cache, 'faces', name), 'utf8').includes('noto-serif-greek'));
      const choiceFile = path.join(cache, 'faces', choice);
      fs.writeFileSync(choiceFile, '[]');
      expect((await embedFonts(specs, text, { dir: cache })).assets).toEqual([]);
      fs.writeFileSync(choiceFile, '[');
      expect((await embedFonts(specs, text, { dir: cache })).assets.map((a) => a.href)).toEqual(first.assets.map((a) => a.href));
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('parseUnicodeRange', () => {
  it('reads single code points, ranges and wildcards, in any case', () => {
    expect(parseUnicodeRange('U+0000-00FF, U+0131,u+4??, U+1f600-1F64f')).toEqual([
      [0, 0xff],
      [0x131, 0x131],
      [0x400, 0x4ff],
      [0x1f600, 0x1f64f],
    ]);
  });

  it('reads every range the theme declares, the Chinese family\'s thousands too', () => {
    const cjk = FACES.filter((f) => f.family.includes('SC'));
    expect(cjk.length).toBeGreaterThan(50);
    for (const face of FACES) {
      expect(face.ranges.length).toBe(face.rangeText.split(',').length);
      for (const [a, b] of face.ranges) expect(Number.isInteger(a) && Number.isInteger(b) && a <= b && b <= 0x10ffff).toBe(true);
    }
  });
});

describe('codePointsOf', () => {
  it('gives every code point of the texts, astral ones and lone surrogates included, and printable ASCII', () => {
    const texts = ['Plain words', 'Қазақ тілі — 中文 — ئۇيغۇرچە', `${RARE_CHAR} twice ${RARE_CHAR}`, 'a lone \uD83D and \uDE00 then 😀', '\uD83D'];
    const expected = new Set<number>();
    for (let c = 0x20; c < 0x7f; c++) expected.add(c);
    for (const t of texts) for (const ch of t) expected.add(ch.codePointAt(0)!);
    expect([...codePointsOf(texts)].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
    expect(codePointsOf(texts).has(0x1f600)).toBe(true);
    expect(codePointsOf(texts).has(0xd83d)).toBe(true);
  });

  it('reads the novel as the string iterator does', () => {
    const dir = path.join(FIXTURES, 'novel');
    const texts = fs.readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    const expected = new Set<number>();
    for (let c = 0x20; c < 0x7f; c++) expected.add(c);
    for (const t of texts) for (const ch of t) expected.add(ch.codePointAt(0)!);
    expect(codePointsOf(texts)).toEqual(expected);
  });
});

describe('selectFaces', () => {
  it('picks the faces whose ranges meet the code points, as a scan of every code point does', () => {
    const cases = ['Plain words', 'Қазақ тілі', '中文 and ئۇيغۇرچە', `${RARE_CHAR}`, '', 'Ελληνικά → ∑'];
    for (const text of cases) {
      const points = codePointsOf([text]);
      const scanned = FACES.filter((f) => [...points].some((cp) => coversCodePoint(f, cp)));
      expect(selectFaces(FACES, points)).toEqual(scanned);
    }
    expect(selectFaces(FACES, new Set())).toEqual([]);
  });
});
