/**
 * Languages and scripts end to end: real builds (all formats) of the shared
 * multilingual fixture and of our own fixtures in tests/fixtures/languages/,
 * checked with pdffonts, pdftotext, EPUBCheck and the EPUB's own XHTML.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, buildInto } from './helpers/build.ts';
import { epubcheck, normalise, pdffonts, pdfPages, pdftext, requireTool } from './helpers/tools.ts';

const LANGUAGES = path.join(ROOT, 'tests', 'fixtures', 'languages');
const BUILD_TIMEOUT = 240_000;

interface Built {
  out: string;
  slug: string;
  pdf: string;
  print: string;
  epub: string;
  web: string;
  /** XHTML of every file in the EPUB's OEBPS folder, by file name. */
  xhtml: Record<string, string>;
}

async function buildAll(dir: string): Promise<Built> {
  const summary = await buildInto(dir);
  const slug = summary.publications[0]!.slug;
  const out = path.join(summary.outDir, slug);
  const epub = path.join(out, `${slug}.epub`);
  const zip = await JSZip.loadAsync(fs.readFileSync(epub));
  const xhtml: Record<string, string> = {};
  for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xhtml'))) {
    xhtml[path.basename(name)] = await zip.file(name)!.async('string');
  }
  return {
    out,
    slug,
    pdf: path.join(out, `${slug}.pdf`),
    print: path.join(out, `${slug}-print.pdf`),
    epub,
    web: fs.readFileSync(path.join(out, 'index.html'), 'utf8'),
    xhtml,
  };
}

/**
 * Extracted PDF text as one string without white space, bidi controls or
 * soft hyphens, and with words hyphenated at line ends joined again.
 */
function squash(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/-\n/g, '')
    .replace(/[\s\u00AD\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, '');
}

/**
 * The Uyghur words of a chapter's Markdown (runs of Arabic letters).
 *
 * Why the PDF comparison below is built the way it is — what pdftotext gives
 * for Arabic-script text set in Noto Naskh Arabic by Chromium:
 *
 * - Default mode returns each line in logical order, but wraps RTL runs in
 *   U+202B…U+202C and puts spaces *inside* words wherever a letter does not join
 *   the next (ئ ۈ رۈ مچ ى for ئۈرۈمچى). Removing all white space and bidi
 *   controls restores the letters in order, so a word is found as is.
 * - Noto Naskh Arabic draws dots as separate mark glyphs (ن = dotless body +
 *   dot above, positioned with GPOS). On lines where marks sit at many
 *   heights, pdftotext's line builder sometimes splits one line into several
 *   scrambled ones; and a final or isolated ن is sometimes dropped.
 * - `-raw` returns glyph runs in content-stream (visual, left-to-right) order:
 *   reversing the runs of each line gives the logical order, and it keeps the
 *   lines pdftotext's default mode scrambles. It loses other final ن instead.
 *
 * So a word counts as present when it appears (or appears reversed, for any
 * extractor that returns visual order) in either extraction; and a word ending
 * in ن also counts when the rest of it is there, because that one letter is an
 * extraction artefact of the font's decomposed dots, not missing ink (the
 * rendered page, checked by eye, shows it).
 */
function uyghurWords(markdown: string): string[] {
  const body = markdown.replace(/^---\n[\s\S]*?\n---\n/, '');
  return [...new Set(body.match(/[\p{Script=Arabic}\p{M}]+/gu) ?? [])].filter((w) => /\p{L}/u.test(w) && !/^[،؛؟]+$/.test(w));
}

interface RtlText {
  logical: string;
  raw: string;
}

function rtlText(pdf: string): RtlText {
  requireTool('pdftotext');
  const raw = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const rawLogical = raw
    .split('\n')
    .map((line) => line.split(/[\s\u200B-\u200F\u202A-\u202E\u2066-\u2069]+/).filter(Boolean).reverse().join(''))
    .join('\n');
  return { logical: squash(pdftext(pdf)), raw: squash(rawLogical) };
}

function hasWord(text: RtlText, word: string): boolean {
  const w = squash(word);
  const forms = [w, [...w].reverse().join('')];
  if (w.length > 2 && w.endsWith('ن')) forms.push(w.slice(0, -1));
  return forms.some((f) => text.logical.includes(f) || text.raw.includes(f));
}

function missingWords(pdf: string, markdownFile: string): string[] {
  const text = rtlText(pdf);
  return uyghurWords(fs.readFileSync(markdownFile, 'utf8')).filter((w) => !hasWord(text, w));
}

/** Start tags carrying all the given attribute="value" pairs, in any order. */
function tagsWith(html: string, attrs: Record<string, string>): string[] {
  return [...html.matchAll(/<[a-z][a-z0-9]*\b[^>]*>/gi)]
    .map((m) => m[0])
    .filter((tag) => Object.entries(attrs).every(([k, v]) => new RegExp(`\\s${k}="${v}"`).test(tag)));
}

describe('multilingual fixture (English, Russian, Kazakh, Uyghur, Chinese)', () => {
  const dir = path.join(FIXTURES, 'multilingual');
  let b: Built;
  let text: string;

  beforeAll(async () => {
    b = await buildAll(dir);
    text = pdftext(b.pdf);
  }, BUILD_TIMEOUT);

  it('embeds subsets of Noto Naskh Arabic and Noto Serif SC, and no other fonts than Noto', () => {
    for (const file of [b.pdf, b.print]) {
      const fonts = pdffonts(file);
      for (const family of ['NotoNaskhArabic', 'NotoSerifSC']) {
        const found = fonts.filter((f) => f.name.includes(family));
        expect(found.length, `${family} in ${path.basename(file)}`).toBeGreaterThan(0);
        expect(found.every((f) => f.embedded && f.subset), `${family} embedded and subset`).toBe(true);
      }
      expect(fonts.filter((f) => !/Noto/.test(f.name)).map((f) => f.name)).toEqual([]);
    }
  });

  it('has the Chinese, Kazakh and Russian text in the PDF', () => {
    const flat = squash(text);
    for (const zh of ['乌鲁木齐', '乌鲁木齐是新疆维吾尔自治区的首府', '也是中国西北部的重要城市', '霍尔果斯']) expect(flat).toContain(zh);
    for (const letter of 'әғқңөұүһіӘҒҚҢӨҰҮҺІ') expect(text).toContain(letter);
    expect(flat).toContain(squash('Қорғас — Қазақстан мен Қытай арасындағы'));
    expect(flat).toContain(squash('Граница между Казахстаном и Китаем'));
  });

  it('has every Uyghur word of the source in the PDF (RTL-tolerant comparison)', () => {
    const source = path.join(dir, '04-scripts.md');
    expect(uyghurWords(fs.readFileSync(source, 'utf8'))).toEqual(expect.arrayContaining(['ئۈرۈمچى', 'شىنجاڭنىڭ', 'قورغاس']));
    expect(missingWords(b.pdf, source)).toEqual([]);
    expect(missingWords(b.print, source)).toEqual([]);
  });

  it('marks the Uyghur and Chinese passages with lang and dir in the EPUB and on the web', () => {
    const chapter = Object.entries(b.xhtml).find(([, x]) => x.includes('乌鲁木齐'))?.[1];
    expect(chapter, 'EPUB chapter with the Chinese passage').toBeDefined();
    for (const html of [chapter!, b.web]) {
      expect(tagsWith(html, { lang: 'ug', dir: 'rtl' }).length).toBeGreaterThanOrEqual(3);
      expect(tagsWith(html, { lang: 'zh-Hans' }).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('uses « » in the Russian chapter and “ ” in the English one, in every format', () => {
    const pdf = normaliseQuotes(text);
    expect(pdf).toContain('«Достык»');
    expect(pdf).toContain('«Сухой порт»');
    expect(pdf).toContain('“Dry ports”');
    expect(pdf).toContain('“smart quotes”');
    const ru = Object.values(b.xhtml).find((x) => /xml:lang="ru"/.test(x))!;
    const en = Object.values(b.xhtml).find((x) => x.includes('Dry ports'))!;
    for (const html of [ru, b.web]) {
      expect(html).toContain('«Достык»');
      expect(html).not.toMatch(/"Достык"|“Достык”/);
    }
    for (const html of [en, b.web]) {
      expect(html).toContain('“Dry ports”');
      expect(html).toContain('“smart quotes”');
    }
  });

  it('passes EPUBCheck', () => {
    const r = epubcheck(b.epub);
    expect([r.fatals, r.errors, r.warnings], r.output).toEqual([0, 0, 0]);
  });
});

/** PDF text with soft hyphens and line breaks removed, so quoted words can be found whole. */
function normaliseQuotes(text: string): string {
  return text.replace(/\u00AD/g, '').replace(/-\n/g, '').replace(/\s+/g, ' ');
}

describe('a long Uyghur chapter (right to left, Arabic script)', () => {
  const dir = path.join(LANGUAGES, 'uyghur-chapter');
  const source = path.join(dir, '01-shahar.md');
  let b: Built;

  beforeAll(async () => {
    b = await buildAll(dir);
  }, BUILD_TIMEOUT);

  it('paginates over three pages or more in both PDFs', () => {
    for (const file of [b.pdf, b.print]) {
      // Pages that carry running Uyghur text (the contents page has only the title).
      const arabicPages = pdfPages(file).filter((p) => (p.match(/\p{Script=Arabic}/gu) ?? []).length > 300);
      expect(arabicPages.length, path.basename(file)).toBeGreaterThanOrEqual(3);
    }
  });

  it('has every Uyghur word of the source in both PDFs', () => {
    expect(uyghurWords(fs.readFileSync(source, 'utf8')).length).toBeGreaterThan(400);
    expect(missingWords(b.pdf, source)).toEqual([]);
    expect(missingWords(b.print, source)).toEqual([]);
  });

  it('draws every glyph with the theme fonts: Noto Naskh Arabic, no system fallback', () => {
    for (const file of [b.pdf, b.print]) {
      const fonts = pdffonts(file);
      expect(fonts.some((f) => f.name.includes('NotoNaskhArabic') && f.embedded && f.subset)).toBe(true);
      // The running head repeats the Uyghur chapter title: it must use a stack with Noto Naskh Arabic too.
      expect(fonts.filter((f) => !/Noto/.test(f.name)).map((f) => f.name), path.basename(file)).toEqual([]);
    }
  });

  it('marks the chapter lang="ug" dir="rtl" in the EPUB and on the web', () => {
    const chapter = Object.values(b.xhtml).find((x) => x.includes('شەھەر'))!;
    expect(chapter).toMatch(/<html[^>]*\slang="ug"[^>]*\sdir="rtl"/);
    expect(tagsWith(b.web, { lang: 'ug', dir: 'rtl' }).length).toBeGreaterThanOrEqual(1);
  });

  it('passes EPUBCheck with no errors and no warnings', () => {
    const r = epubcheck(b.epub);
    expect([r.fatals, r.errors, r.warnings], r.output).toEqual([0, 0, 0]);
  });
});

describe('a Russian book typed with straight quotes, with notes and tables', () => {
  const dir = path.join(LANGUAGES, 'russian-book');
  let b: Built;
  let text: string;

  beforeAll(async () => {
    b = await buildAll(dir);
    text = normaliseQuotes(pdftext(b.pdf));
  }, BUILD_TIMEOUT);

  it('turns straight quotes into « » with „ “ inside, in every format', () => {
    const chapters = Object.values(b.xhtml).filter((x) => /xml:lang="ru"/.test(x) && x.includes('<table'));
    expect(chapters).toHaveLength(2);
    for (const html of [text, b.web, chapters.join('\n')]) {
      expect(html).toContain('«сердцем дома»');
      expect(html).toContain('«дорогой испытаний»');
      expect(html).toContain('„не настоящий“');
      expect(html).not.toMatch(/"(сердцем|дорогой|Всё)/);
    }
    expect(text).toContain('«Всё для дома»');
  });

  it('heads the notes in Russian', () => {
    for (const html of [b.web, ...Object.values(b.xhtml).filter((x) => x.includes('data-footnotes') || x.includes('footnotes'))]) {
      expect(html).not.toContain('>Notes<');
    }
    expect(b.web).toContain('Примечания');
    expect(Object.values(b.xhtml).filter((x) => x.includes('Примечания'))).toHaveLength(2);
  });

  it('keeps the notes and the tables in the PDF', () => {
    expect(normalise(text)).toContain(normalise('Сахар на станции продают кусковой'));
    expect(normalise(text)).toContain(normalise('топят печь дровами'));
    expect(text).toMatch(/Травяной\s+6\s+100/);
    expect(text).toMatch(/Деревня — станция\s+38\s+1/);
  });

  it('passes EPUBCheck with no errors and no warnings', () => {
    const r = epubcheck(b.epub);
    expect([r.fatals, r.errors, r.warnings], r.output).toEqual([0, 0, 0]);
  });
});
