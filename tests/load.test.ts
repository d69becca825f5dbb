import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentError, type Diagnostic } from '../scripts/diagnostics.ts';
import { findPublications, loadPublication } from '../scripts/load/load-publication.ts';
import { contentJsonSchemas, slugify } from '../scripts/load/schema.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/fixtures');
const OWN = path.resolve(import.meta.dirname, 'fixtures/load');

// Each test builds its publication in a fresh temporary folder, removed afterwards.
const tmpRoots: string[] = [];
afterEach(() => {
  for (const dir of tmpRoots.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (paths relative to the publication folder, `../x` lands beside it) and returns the folder. */
function pub(files: Record<string, string | Uint8Array>, name = 'book'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-load-'));
  tmpRoots.push(root);
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** Paths in messages relative to the publication folder, so assertions read like the files. */
const shownFrom = (dir: string) => ({ displayPath: (abs: string) => path.relative(dir, abs) || '.' });

async function load(dir: string) {
  return loadPublication(dir, shownFrom(dir));
}

async function problems(dir: string): Promise<Diagnostic[]> {
  try {
    await load(dir);
  } catch (err) {
    if (err instanceof ContentError) return err.diagnostics;
    throw err;
  }
  throw new Error('expected a ContentError');
}

const CHAPTER = '# A chapter\n\nSome text.\n';

describe('loadPublication: the shared fixtures', () => {
  it('loads the single-article paper', async () => {
    const p = await loadPublication(path.join(SHARED, 'article'));
    expect(p.dir).toBe(path.join(SHARED, 'article'));
    expect(p.bookFile).toBe(path.join(SHARED, 'article', 'book.yaml'));
    expect(p.meta).toMatchObject({
      title: 'CHINA FROM KAZAKHSTANI PERSPECTIVE (ON THE EXAMPLE OF XINJIANG)',
      authors: [{ name: 'Erkin Baidarov' }],
      language: 'en',
      layout: 'article',
      slug: 'article',
      chapters: ['article.md'],
    });
    expect(p.chapters).toHaveLength(1);
    expect(p.chapters[0]).toMatchObject({ relPath: 'article.md', frontMatter: {}, bodyStartLine: 1 });
    expect(p.chapters[0].file).toBe(path.join(SHARED, 'article', 'article.md'));
    expect(p.chapters[0].body).toContain('Ürümqi');
  });

  it('loads the multilingual sampler with per-chapter front matter', async () => {
    const p = await loadPublication(path.join(SHARED, 'multilingual'));
    expect(p.meta).toMatchObject({ title: 'Crossing Points', subtitle: 'A multilingual sampler', date: '2026-11-28', slug: 'multilingual' });
    expect(p.chapters.map((c) => c.relPath)).toEqual(['01-introduction.md', '02-russian.md', '03-kazakh.md', '04-scripts.md']);
    expect(p.chapters.map((c) => c.frontMatter.lang)).toEqual(['en', 'ru', 'kk', 'en']);
    expect(p.chapters[0].frontMatter).toEqual({
      title: 'Crossing Points',
      subtitle: 'Notes on a shared border',
      lang: 'en',
      authors: [{ name: 'A. Example' }],
    });
    expect(p.chapters[0].bodyStartLine).toBe(7);
    expect(p.chapters[1].bodyStartLine).toBe(5);
    expect(p.chapters[1].body.startsWith('\nГраница между')).toBe(true);
  });

  it('loads the novel, finding its 61 chapters in name order', async () => {
    const p = await loadPublication(path.join(SHARED, 'novel'));
    expect(p.meta.language).toBe('en-GB');
    expect(p.meta.date).toBe('1813-01-28');
    expect(p.chapters).toHaveLength(61);
    expect(p.meta.chapters[0]).toBe('chapter-01.md');
    expect(p.meta.chapters[60]).toBe('chapter-61.md');
    expect(p.chapters.every((c) => c.bodyStartLine === 1 && c.body.startsWith('# '))).toBe(true);
  });
});

describe('loadPublication: valid manifests', () => {
  it('reads every field of a complete book.yaml', async () => {
    const dir = path.join(OWN, 'complete');
    const p = await loadPublication(dir);
    expect(p.meta).toEqual({
      title: 'The Complete Manifest',
      subtitle: 'Every field, once',
      authors: [{ name: 'Jane Doe' }, { name: 'Ann Lee', affiliation: 'Example University' }],
      language: 'en-GB',
      identifier: 'urn:uuid:5f1c2a3e-8d7b-4c6a-9e21-0b3d4f5a6c7d',
      isbn: '978-0-306-40615-7',
      publisher: 'Example Press',
      date: '2026-11-28',
      description: 'A fixture that sets every field.',
      rights: '© 2026 Jane Doe. CC BY 4.0.',
      keywords: ['testing', 'manifests'],
      cover: 'images/cover.png',
      layout: 'book',
      slug: 'complete-manifest',
      page: { size: '6in 9in', margins: { top: '18mm', bottom: '22mm', inner: '22mm', outer: '0.5in' }, bleed: '0' },
      chapters: ['chapters/intro.md', 'chapters/main.md'],
    });
    expect(p.chapters[0]).toMatchObject({
      relPath: 'chapters/intro.md',
      file: path.join(dir, 'chapters/intro.md'),
      frontMatter: {
        title: 'Introduction: why manifests',
        role: 'introduction',
        lang: 'en-GB',
        authors: [{ name: 'Jane Doe' }],
        abstract: 'What this book is for.',
      },
      body: '\nSome text.\n',
      bodyStartLine: 8,
    });
    expect(p.chapters[1].body).toContain('{{handlebars}}');
  });

  it('applies defaults: language, layout, page, keywords, authors, slug and chapters', async () => {
    const dir = pub(
      {
        'book.yaml': 'title: Minimal\n',
        'ch-10.md': CHAPTER,
        'ch-2.md': CHAPTER,
        'README.md': '# Notes for editors\n',
        '.draft.md': CHAPTER,
        'notes.txt': 'not a chapter',
      },
      'My Book – Ärger',
    );
    const p = await load(dir);
    expect(p.meta).toEqual({
      title: 'Minimal',
      authors: [],
      language: 'en',
      keywords: [],
      layout: 'book',
      slug: 'my-book-arger',
      page: { size: 'A5', margins: { top: '20mm', bottom: '22mm', inner: '22mm', outer: '16mm' }, bleed: '3mm' },
      chapters: ['ch-2.md', 'ch-10.md'],
    });
  });

  it('normalises authors written as a name, a mapping, or a mixed list', async () => {
    const authorsOf = async (yaml: string) =>
      (await load(pub({ 'book.yaml': `title: T\n${yaml}\n`, 'a.md': CHAPTER }))).meta.authors;
    expect(await authorsOf('authors: Jane Doe')).toEqual([{ name: 'Jane Doe' }]);
    expect(await authorsOf('authors: {name: Ann Lee, affiliation: MIT}')).toEqual([{ name: 'Ann Lee', affiliation: 'MIT' }]);
    expect(await authorsOf('authors:\n  - Jane Doe\n  - name: Ann Lee\n    affiliation: MIT')).toEqual([
      { name: 'Jane Doe' },
      { name: 'Ann Lee', affiliation: 'MIT' },
    ]);
  });

  it('normalises dates from YAML 1.2 strings, YAML 1.1 timestamps and bare years', async () => {
    const dateOf = async (yaml: string) => (await load(pub({ 'book.yaml': yaml, 'a.md': CHAPTER }))).meta.date;
    expect(await dateOf('title: T\ndate: 2026-11-28\n')).toBe('2026-11-28');
    // In YAML 1.1 a timestamp becomes a Date object.
    expect(await dateOf('%YAML 1.1\n---\ntitle: T\ndate: 2026-11-28\n')).toBe('2026-11-28');
    expect(await dateOf('title: T\ndate: 1813\n')).toBe('1813');
    expect(await dateOf('title: T\ndate: "1813-01"\n')).toBe('1813-01');
  });

  it('canonicalises language tags and keeps numbers as written', async () => {
    const p = await load(pub({ 'book.yaml': 'title: 1984\nlanguage: ZH-hans\nisbn: 0306406152\n', 'a.md': CHAPTER }));
    expect(p.meta.title).toBe('1984');
    expect(p.meta.language).toBe('zh-Hans');
    expect(p.meta.isbn).toBe('0306406152');
  });

  it('strips a BOM and normalises CRLF in book.yaml and chapters', async () => {
    const dir = pub({
      'book.yaml': '\uFEFFtitle: Windows\r\nchapters: [a.md]\r\n',
      'a.md': '\uFEFF---\r\ntitle: From Notepad\r\n---\r\n\r\nLine one.\r\nLine two.\r\n',
    });
    const p = await load(dir);
    expect(p.meta.title).toBe('Windows');
    expect(p.chapters[0].frontMatter).toEqual({ title: 'From Notepad' });
    expect(p.chapters[0].body).toBe('\nLine one.\nLine two.\n');
    expect(p.chapters[0].bodyStartLine).toBe(4);
  });

  it('accepts a symlinked chapter that stays inside the folder, and a chapter with only front matter', async () => {
    const dir = pub({ 'book.yaml': 'title: T\nchapters: [part.md, alias.md]\n', 'real.md': CHAPTER, 'part.md': '---\nrole: part\ntitle: Part One\n---\n' });
    fs.symlinkSync('real.md', path.join(dir, 'alias.md'));
    const p = await load(dir);
    expect(p.chapters.map((c) => c.relPath)).toEqual(['part.md', 'alias.md']);
    expect(p.chapters[0]).toMatchObject({ frontMatter: { role: 'part', title: 'Part One' }, body: '', bodyStartLine: 5 });
    expect(p.chapters[1].body).toBe(CHAPTER);
  });
});

describe('loadPublication: problems in book.yaml', () => {
  it('reports broken YAML at its line and column', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: Test\nsubtitle: a: b\nlanguage: en\n', 'a.md': CHAPTER }));
    expect(ds).toEqual([
      expect.objectContaining({ code: 'BOOK_YAML_SYNTAX', file: 'book.yaml', line: 2, column: 11 }),
    ]);
    expect(ds[0].message).toMatch(/Nested mappings/);
    expect(ds[0].hint).toMatch(/quotes/);
  });

  it('explains tabs used for indentation', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: Test\npage:\n\tsize: A4\n', 'a.md': CHAPTER }));
    expect(ds).toEqual([expect.objectContaining({ code: 'BOOK_YAML_SYNTAX', line: 3, hint: expect.stringMatching(/spaces/) })]);
  });

  it('reports a wrong type with the field, what was found, and the line', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: T\npublisher: P\nkeywords: history\n', 'a.md': CHAPTER }));
    expect(ds).toEqual([
      {
        severity: 'error',
        code: 'BOOK_YAML_INVALID',
        message: '`keywords` must be a list, not text',
        file: 'book.yaml',
        line: 3,
        column: 1,
        hint: expect.stringContaining('keywords: [history, travel]'),
      },
    ]);
  });

  it('points into nested mappings and lists', async () => {
    const yaml = [
      'title: [a, b]', // 1
      'authors:', // 2
      '  - Jane Doe', // 3
      '  - affiliation: MIT', // 4
      'page:', // 5
      '  margins:', // 6
      '    top: 20', // 7
      'layout: boook', // 8
      '',
    ].join('\n');
    const ds = await problems(pub({ 'book.yaml': yaml, 'a.md': CHAPTER }));
    expect(ds.map((d) => [d.code, d.line, d.message])).toEqual([
      ['BOOK_YAML_INVALID', 1, '`title` must be text, not a list'],
      ['BOOK_YAML_INVALID', 4, '`authors[1].name` is required'],
      ['BOOK_YAML_INVALID', 7, '`page.margins.top` must be a CSS length with a unit'],
      ['BOOK_YAML_INVALID', 8, '`layout` must be one of `book`, `article`, not `boook`'],
    ]);
    expect(ds[3].hint).toBe('did you mean `book`?');
  });

  it('requires a title', async () => {
    const ds = await problems(pub({ 'book.yaml': '# nothing yet\nlanguage: en\n', 'a.md': CHAPTER }));
    expect(ds).toEqual([expect.objectContaining({ code: 'BOOK_YAML_INVALID', file: 'book.yaml', message: '`title` is required' })]);
    expect(ds[0].line).toBeUndefined();
    expect(ds[0].hint).toMatch(/title: /);
    const empty = await problems(pub({ 'book.yaml': 'title:\n', 'a.md': CHAPTER }));
    expect(empty).toEqual([expect.objectContaining({ message: '`title` is empty', line: 1 })]);
  });

  it('rejects a book.yaml that is not a mapping', async () => {
    const ds = await problems(pub({ 'book.yaml': '- title: T\n', 'a.md': CHAPTER }));
    expect(ds).toEqual([expect.objectContaining({ code: 'BOOK_YAML_INVALID', line: 1 })]);
  });

  it('validates dates, language tags, ISBNs, slugs and page sizes', async () => {
    const yaml = [
      'title: T',
      'date: 2026-02-30',
      'language: en_US',
      'isbn: 978-0-306-40615-8',
      'slug: My Book',
      'page: {size: A9, bleed: 3 mm}',
      '',
    ].join('\n');
    const ds = await problems(pub({ 'book.yaml': yaml, 'a.md': CHAPTER }));
    expect(ds.map((d) => [d.line, d.message])).toEqual([
      [2, '`date` is not a date in the calendar'],
      [3, '`language` is not a valid BCP 47 language tag: `en_US`'],
      [4, '`isbn` is not a valid ISBN-10 or ISBN-13'],
      [5, '`slug` may contain only lowercase letters a–z, digits and single hyphens'],
      [6, '`page.size` must be a CSS page size'],
      [6, '`page.bleed` must be a CSS length with a unit'],
    ]);
    expect(ds.every((d) => d.code === 'BOOK_YAML_INVALID' && d.hint)).toBe(true);
    const words = await problems(pub({ 'book.yaml': 'title: T\ndate: 28.11.2026\nlanguage: english\n', 'a.md': CHAPTER }));
    expect(words.map((d) => d.message)).toEqual([
      '`date` must be a date written YYYY-MM-DD (or YYYY-MM, or a year)',
      '`language` is not a valid BCP 47 language tag: `english`',
    ]);
  });

  it('reports unknown keys with a did-you-mean hint', async () => {
    const yaml = ['title: T', 'autors: [A]', 'lang: ru', 'Publisher: P', 'page:', '  margin: {top: 1in}', 'colour: red', ''].join('\n');
    const ds = await problems(pub({ 'book.yaml': yaml, 'a.md': CHAPTER }));
    expect(ds.map((d) => [d.code, d.line, d.message, d.hint])).toEqual([
      ['BOOK_YAML_UNKNOWN_KEY', 2, 'unknown key `autors`', 'did you mean `authors`?'],
      ['BOOK_YAML_UNKNOWN_KEY', 3, 'unknown key `lang`', 'did you mean `language`?'],
      ['BOOK_YAML_UNKNOWN_KEY', 4, 'unknown key `Publisher`', 'did you mean `publisher`?'],
      ['BOOK_YAML_UNKNOWN_KEY', 6, 'unknown key `margin` in `page`', 'did you mean `margins`?'],
      ['BOOK_YAML_UNKNOWN_KEY', 7, 'unknown key `colour`', expect.stringMatching(/^known keys: `title`, /)],
    ]);
  });

  it('reports a missing book.yaml', async () => {
    const dir = pub({ 'a.md': CHAPTER });
    const ds = await problems(dir);
    expect(ds).toEqual([expect.objectContaining({ code: 'NO_BOOK_YAML', file: 'book.yaml' })]);
    const gone = await problems(path.join(dir, 'nope'));
    expect(gone).toEqual([expect.objectContaining({ code: 'NO_BOOK_YAML', message: expect.stringMatching(/does not exist/) })]);
  });

  it('reports a book.yaml that is not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('title: T\npublisher: Caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const ds = await problems(pub({ 'book.yaml': bytes, 'a.md': CHAPTER }));
    expect(ds).toEqual([expect.objectContaining({ code: 'NOT_UTF8', file: 'book.yaml', line: 2, column: 15 })]);
  });

  it('reports a missing or outside cover image', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: T\ncover: images/cover.jpg\n', 'images/kover.jpg': 'x', 'a.md': CHAPTER }));
    expect(ds).toEqual([expect.objectContaining({ code: 'COVER_MISSING', file: 'book.yaml', line: 2 })]);
    const outside = await problems(pub({ 'book.yaml': 'title: T\ncover: https://example.com/c.jpg\n', 'a.md': CHAPTER }));
    expect(outside).toEqual([expect.objectContaining({ code: 'COVER_OUTSIDE', line: 2 })]);
  });
});

describe('loadPublication: chapter files', () => {
  it('reports a missing chapter at its line in book.yaml, suggesting a near name', async () => {
    const dir = pub({ 'book.yaml': 'title: T\nchapters:\n  - 01-intro.md\n  - 02-russain.md\n', '01-intro.md': CHAPTER, '02-russian.md': CHAPTER });
    const ds = await problems(dir);
    expect(ds).toEqual([
      {
        severity: 'error',
        code: 'CHAPTER_MISSING',
        message: 'chapter `02-russain.md` does not exist',
        file: 'book.yaml',
        line: 4,
        column: 5,
        hint: 'did you mean `02-russian.md`?',
      },
    ]);
  });

  it('reports a chapter listed twice, also under another spelling of the same path', async () => {
    const dir = pub({ 'book.yaml': 'title: T\nchapters:\n  - a.md\n  - b.md\n  - ./a.md\n', 'a.md': CHAPTER, 'b.md': CHAPTER });
    const ds = await problems(dir);
    expect(ds).toEqual([
      expect.objectContaining({ code: 'CHAPTER_DUPLICATE', file: 'book.yaml', line: 5, message: 'chapter `./a.md` is listed more than once (first on line 3)' }),
    ]);
  });

  it('refuses chapters outside the folder via ../ or an absolute path', async () => {
    const dir = pub({ 'book.yaml': 'title: T\nchapters: [a.md, ../secret.md]\n', 'a.md': CHAPTER, '../secret.md': CHAPTER });
    expect(await problems(dir)).toEqual([
      expect.objectContaining({ code: 'CHAPTER_OUTSIDE', file: 'book.yaml', line: 2, column: 18, message: 'chapter `../secret.md` is outside the publication folder' }),
    ]);
    const abs = path.join(path.dirname(dir), 'secret.md');
    const absDir = pub({ 'book.yaml': `title: T\nchapters:\n  - ${abs}\n` });
    expect(await problems(absDir)).toEqual([expect.objectContaining({ code: 'CHAPTER_OUTSIDE', line: 3 })]);
  });

  it('refuses a symbolic link that leads outside the folder, listed or found', async () => {
    const dir = pub({ 'book.yaml': 'title: T\nchapters: [a.md, link.md]\n', 'a.md': CHAPTER, '../secret.md': CHAPTER });
    fs.symlinkSync(path.join(path.dirname(dir), 'secret.md'), path.join(dir, 'link.md'));
    expect(await problems(dir)).toEqual([
      expect.objectContaining({ code: 'CHAPTER_OUTSIDE', file: 'book.yaml', line: 2, message: expect.stringMatching(/symbolic link/) }),
    ]);
    // Without a `chapters:` list the link is found by the folder scan and reported at the file itself.
    fs.writeFileSync(path.join(dir, 'book.yaml'), 'title: T\n');
    const found = await problems(dir);
    expect(found).toEqual([expect.objectContaining({ code: 'CHAPTER_OUTSIDE', file: 'link.md' })]);
    expect(found[0].line).toBeUndefined();
  });

  it('reports a chapter that is not UTF-8 at the line and column of the bad byte', async () => {
    const bytes = Buffer.concat([Buffer.from('# Title\n\nCaf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]);
    const ds = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': bytes }));
    expect(ds).toEqual([
      {
        severity: 'error',
        code: 'NOT_UTF8',
        message: 'not valid UTF-8 text (bad byte at offset 12)',
        file: 'a.md',
        line: 3,
        column: 4,
        hint: expect.stringContaining('UTF-8'),
      },
    ]);
  });

  it('reports an empty chapter file', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': CHAPTER, 'b.md': '', 'c.md': '\n  \n' }));
    expect(ds.map((d) => [d.code, d.file])).toEqual([
      ['CHAPTER_EMPTY', 'b.md'],
      ['CHAPTER_EMPTY', 'c.md'],
    ]);
  });

  it('reports a book without chapters', async () => {
    const none = await problems(pub({ 'book.yaml': 'title: T\n', 'README.md': '# Read me\n' }));
    expect(none).toEqual([expect.objectContaining({ code: 'EMPTY_BOOK', file: 'book.yaml' })]);
    expect(none[0].line).toBeUndefined();
    const emptyList = await problems(pub({ 'book.yaml': 'title: T\nchapters: []\n', 'a.md': CHAPTER }));
    expect(emptyList).toEqual([expect.objectContaining({ code: 'EMPTY_BOOK', line: 2 })]);
  });

  it('reports a listed folder and a non-Markdown chapter', async () => {
    const dir = pub({ 'book.yaml': 'title: T\nchapters: [part.md, notes.txt]\n', 'part.md/x.md': CHAPTER, 'notes.txt': 'x' });
    expect((await problems(dir)).map((d) => [d.code, d.message])).toEqual([
      ['BOOK_YAML_INVALID', '`chapters[1]` must be a Markdown file ending in `.md`'],
    ]);
    const folder = pub({ 'book.yaml': 'title: T\nchapters: [part.md]\n', 'part.md/x.md': CHAPTER });
    expect(await problems(folder)).toEqual([expect.objectContaining({ code: 'CHAPTER_NOT_FILE', line: 2 })]);
  });
});

describe('loadPublication: front matter', () => {
  it('reports broken front matter YAML at its line in the chapter file', async () => {
    const chapter = '---\ntitle: The Border\nlang: [ru\n---\n\nText.\n';
    const ds = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': chapter }));
    expect(ds).toEqual([expect.objectContaining({ code: 'FRONT_MATTER_SYNTAX', file: 'a.md', line: 3 })]);
    const colon = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': '---\nrole: chapter\ntitle: Part: One\n---\nText\n' }));
    expect(colon).toEqual([expect.objectContaining({ code: 'FRONT_MATTER_SYNTAX', line: 3, column: 8 })]);
  });

  it('reports unknown front matter keys with a hint', async () => {
    const chapter = '---\ntitle: A\nlanguage: ru\ndate: 2026-01-01\n---\nText\n';
    const ds = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': chapter }));
    expect(ds.map((d) => [d.code, d.file, d.line, d.message, d.hint])).toEqual([
      ['FRONT_MATTER_UNKNOWN_KEY', 'a.md', 3, 'unknown key `language`', 'did you mean `lang`?'],
      ['FRONT_MATTER_UNKNOWN_KEY', 'a.md', 4, 'unknown key `date`', '`date` applies to the whole publication: set it in book.yaml'],
    ]);
  });

  it('reports a role that is not one of the chapter roles', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': '---\ntitle: A\nrole: apendix\n---\nText\n' }));
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'FRONT_MATTER_INVALID',
        file: 'a.md',
        line: 3,
        message: expect.stringMatching(/^`role` must be one of `foreword`, .*, not `apendix`$/),
        hint: 'did you mean `appendix`?',
      }),
    ]);
  });

  it('reports wrong types and bad language tags in front matter', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': '---\ntitle: {x: 1}\nlang: russian\n---\nText\n' }));
    expect(ds.map((d) => [d.code, d.line, d.message])).toEqual([
      ['FRONT_MATTER_INVALID', 2, '`title` must be text, not a mapping'],
      ['FRONT_MATTER_INVALID', 3, '`lang` is not a valid BCP 47 language tag: `russian`'],
    ]);
  });

  it('reports front matter that is never closed, or not a mapping', async () => {
    const ds = await problems(pub({ 'book.yaml': 'title: T\n', 'a.md': '---\ntitle: A\n\nText\n', 'b.md': '---\n- a\n---\nText\n' }));
    expect(ds.map((d) => [d.code, d.file, d.line])).toEqual([
      ['FRONT_MATTER_UNCLOSED', 'a.md', 1],
      ['FRONT_MATTER_INVALID', 'b.md', 2],
    ]);
  });
});

describe('loadPublication: several problems at once', () => {
  it('collects problems from book.yaml and every chapter into one ContentError', async () => {
    const dir = pub({
      'book.yaml': 'title: T\nautor: A\nchapters:\n  - one.md\n  - two.md\n  - three.md\n  - four.md\n',
      'one.md': CHAPTER,
      'three.md': '---\nrole: apendix\n---\nText\n',
      'four.md': Buffer.from([0x23, 0x20, 0xff, 0x0a]),
    });
    let error: unknown;
    try {
      await load(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ContentError);
    const ds = (error as ContentError).diagnostics;
    expect(ds.map((d) => [d.code, d.file, d.line])).toEqual([
      ['BOOK_YAML_UNKNOWN_KEY', 'book.yaml', 2],
      ['CHAPTER_MISSING', 'book.yaml', 5],
      ['FRONT_MATTER_INVALID', 'three.md', 2],
      ['NOT_UTF8', 'four.md', 1],
    ]);
    // The message lists every problem with file:line, ready to print.
    expect((error as Error).message.split('\n').filter((l) => !l.startsWith('  hint:'))).toEqual([
      'book.yaml:2:1: error unknown key `autor` [BOOK_YAML_UNKNOWN_KEY]',
      'book.yaml:5:5: error chapter `two.md` does not exist [CHAPTER_MISSING]',
      expect.stringMatching(/^three\.md:2:1: error `role` must be one of/),
      'four.md:1:3: error not valid UTF-8 text (bad byte at offset 2) [NOT_UTF8]',
    ]);
  });

  it('shows paths relative to the working directory by default', async () => {
    const dir = pub({ 'book.yaml': 'title: T\nchapters: [missing.md]\n' });
    const err = await loadPublication(dir).catch((e: unknown) => e);
    expect((err as ContentError).diagnostics[0].file).toBe(path.relative(process.cwd(), path.join(dir, 'book.yaml')));
  });
});

describe('findPublications', () => {
  it('returns the folder itself when it is a publication', async () => {
    expect(await findPublications(path.join(SHARED, 'novel'))).toEqual([path.join(SHARED, 'novel')]);
  });

  it('returns the publications directly inside a folder, sorted', async () => {
    const root = path.dirname(pub({ 'book.yaml': 'title: B\n' }, 'beta'));
    fs.mkdirSync(path.join(root, 'alpha'));
    fs.writeFileSync(path.join(root, 'alpha', 'book.yaml'), 'title: A\n');
    fs.mkdirSync(path.join(root, 'images'));
    fs.mkdirSync(path.join(root, 'deep', 'gamma'), { recursive: true });
    fs.writeFileSync(path.join(root, 'deep', 'gamma', 'book.yaml'), 'title: G\n');
    expect(await findPublications(root)).toEqual([path.join(root, 'alpha'), path.join(root, 'beta')]);
  });

  it('reports a folder without publications', async () => {
    const root = path.dirname(pub({ 'notes.md': CHAPTER }));
    await expect(findPublications(root)).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ code: 'NO_PUBLICATIONS' })] });
    await expect(findPublications(path.join(root, 'missing'))).rejects.toBeInstanceOf(ContentError);
  });
});

describe('schemas', () => {
  it('slugifies folder names', () => {
    expect(slugify('Pride & Prejudice')).toBe('pride-prejudice');
    expect(slugify('Crossing Points (2026)')).toBe('crossing-points-2026');
    expect(slugify('Книга')).toBe('publication');
  });

  it('exports JSON Schemas for book.yaml and front matter', () => {
    const { book, frontMatter } = contentJsonSchemas();
    expect(book).toMatchObject({ type: 'object', required: ['title'], additionalProperties: false, title: 'book.yaml' });
    const props = book.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['title', 'authors', 'language', 'date', 'page', 'chapters']));
    expect(props.layout).toMatchObject({ enum: ['book', 'article'], default: 'book' });
    expect(JSON.stringify(props.date)).toContain('"format":"date"');
    const fmProps = frontMatter.properties as Record<string, Record<string, unknown>>;
    expect(fmProps.role.enum).toContain('appendix');
    expect(frontMatter.additionalProperties).toBe(false);
  });
});
