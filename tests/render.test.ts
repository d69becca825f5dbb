/** The theme: strict templates, publication overrides, view models and page CSS. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTheme } from '../scripts/render/theme.ts';
import { authorLine, bookView, chapterView, formatDate, nestHeadings } from '../scripts/render/view-model.ts';
import { cssString, pageCss } from '../scripts/render/page-css.ts';
import { ContentError } from '../scripts/diagnostics.ts';
import type { BookMeta, ParsedChapter } from '../scripts/model.ts';
import { ROOT, tempDir } from './helpers/build.ts';

const meta: BookMeta = {
  title: 'A "Quoted" Title',
  authors: [{ name: 'A. Example' }, { name: 'B. Sample', affiliation: 'Somewhere' }],
  language: 'en',
  keywords: ['one', 'two'],
  layout: 'book',
  slug: 'a-book',
  page: { size: 'A5', margins: { top: '20mm', bottom: '22mm', inner: '22mm', outer: '16mm' }, bleed: '3mm' },
  chapters: ['a.md'],
  date: '2026-11-28',
};

const chapter: ParsedChapter = {
  id: 'ch-01',
  index: 0,
  source: { file: '/x/a.md', relPath: 'a.md', frontMatter: {}, body: '', bodyStartLine: 1 },
  title: 'First',
  authors: [],
  lang: 'ru',
  dir: 'ltr',
  role: 'appendix',
  headings: [
    { id: 'ch-01-a', depth: 2, text: 'A' },
    { id: 'ch-01-b', depth: 3, text: 'B' },
    { id: 'ch-01-c', depth: 2, text: 'C' },
  ],
  tree: { type: 'root', children: [] },
  images: [],
};

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function pubWithTemplate(rel: string, text: string): string {
  const dir = tempDir();
  dirs.push(dir);
  fs.mkdirSync(path.dirname(path.join(dir, 'templates', rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, 'templates', rel), text);
  return dir;
}

describe('theme', () => {
  it('renders the print layout with chapters, contents and metadata', () => {
    const theme = loadTheme(ROOT, tempDir(), (p) => p);
    const html = theme.render('print', {
      book: bookView(meta, 'urn:uuid:x'),
      strings: theme.strings('en'),
      edition: 'screen',
      showCover: true,
      showFront: true,
      stylesheets: ['assets/base.css'],
      chapters: [{ ...chapterView(chapter, '<p>Body {{title}}</p>'), showHead: true }],
      body: [{ ...chapterView(chapter, '<p>Body {{title}}</p>'), showHead: true }],
    });
    expect(html).toContain('<title>A &quot;Quoted&quot; Title</title>');
    expect(html).toContain('<section class="chapter role-appendix book-chapter first-chapter" id="ch-01" lang="ru" dir="ltr" role="doc-appendix"');
    expect(html).toContain('<a class="toc-link" href="#ch-01" data-page="000">');
    // Chapter HTML is inserted as rendered, never evaluated as a template.
    expect(html).toContain('<p>Body {{title}}</p>');
    expect(html).toContain('class="cover"');
  });

  it('is strict: a missing field is an error that names the template file', () => {
    const dir = pubWithTemplate('layouts/print.hbs', '<p>{{book.nosuchfield}}</p>');
    const theme = loadTheme(ROOT, dir, (p) => p);
    let error: unknown;
    try {
      theme.render('print', { book: bookView(meta, 'x') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContentError);
    const d = (error as ContentError).diagnostics[0];
    expect(d.code).toBe('TEMPLATE_ERROR');
    expect(d.file).toBe(path.join(dir, 'templates', 'layouts', 'print.hbs'));
    expect(d.message).toMatch(/nosuchfield/);
  });

  it('reports a template syntax error with its file', () => {
    const dir = pubWithTemplate('partials/cover.hbs', '{{#if book.title}}unclosed');
    expect(() => loadTheme(ROOT, dir, (p) => p)).toThrow(/cover\.hbs/);
  });

  it('lets a publication override a partial', () => {
    const dir = pubWithTemplate('partials/cover.hbs', '<div class="my-cover">{{book.title}}</div>');
    const theme = loadTheme(ROOT, dir, (p) => p);
    const html = theme.render('print', {
      book: bookView(meta, 'x'),
      strings: theme.strings('en'),
      edition: 'screen',
      showCover: true,
      showFront: true,
      stylesheets: [],
      chapters: [],
      body: [],
    });
    expect(html).toContain('<div class="my-cover">A &quot;Quoted&quot; Title</div>');
  });

  it('has strings per language, falling back to English', () => {
    const theme = loadTheme(ROOT, tempDir(), (p) => p);
    expect(theme.strings('ru').contents).toBe('Содержание');
    expect(theme.strings('kk-KZ').contents).toBe('Мазмұны');
    expect(theme.strings('xx').contents).toBe('Contents');
  });
});

describe('view models', () => {
  it('joins authors and formats dates by language', () => {
    expect(authorLine(meta.authors, 'en')).toBe('A. Example and B. Sample');
    expect(authorLine(meta.authors, 'ru')).toBe('A. Example и B. Sample');
    expect(formatDate('2026-11-28', 'en')).toBe('November 28, 2026');
    expect(formatDate('2026-11-28', 'ru')).toMatch(/^28 ноября 2026/);
    expect(formatDate('1813', 'en')).toBe('1813');
  });

  it('nests headings for the contents and maps roles to DPUB-ARIA', () => {
    const v = chapterView(chapter, '');
    expect(v.ariaRole).toBe('doc-appendix');
    expect(v.epubType).toBe('appendix');
    expect(nestHeadings(chapter.headings).map((h) => [h.id, h.children.map((c) => c.id)])).toEqual([
      ['ch-01-a', ['ch-01-b']],
      ['ch-01-c', []],
    ]);
  });
});

describe('page CSS', () => {
  it('sets size, mirrored margins, and bleed with crop marks only for print', () => {
    const screen = pageCss(meta, 'screen');
    const print = pageCss(meta, 'print');
    expect(screen).toContain('size: A5; margin: 20mm 16mm 22mm 22mm;');
    expect(screen).toContain('@page :left { margin-left: 16mm; margin-right: 22mm;');
    expect(screen).not.toContain('bleed');
    expect(print).toContain('bleed: 3mm; marks: crop;');
  });

  it('escapes titles in running heads', () => {
    expect(cssString('A "B" \\ C')).toBe('"A \\"B\\" \\\\ C"');
    expect(pageCss(meta, 'screen')).toContain('content: "A \\"Quoted\\" Title"');
  });
});
