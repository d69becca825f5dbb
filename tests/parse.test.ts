import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Root } from 'hast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ChapterFrontMatter, ChapterSource } from '../scripts/model.ts';
import { chapterToHtml, parseChapter, type ParseContext } from '../scripts/parse/parse-chapter.ts';
import { smartPunctuation } from '../scripts/parse/typography.ts';

const PUB = path.join(os.tmpdir(), 'colophon-parse-unused');

function source(body: string, frontMatter: ChapterFrontMatter = {}, file = path.join(PUB, 'ch.md'), bodyStartLine = 1): ChapterSource {
  return { file, relPath: path.basename(file), frontMatter, body, bodyStartLine };
}

function parse(body: string, frontMatter: ChapterFrontMatter = {}, ctx: Partial<ParseContext> = {}, file?: string, bodyStartLine?: number) {
  return parseChapter(source(body, frontMatter, file, bodyStartLine), {
    publicationDir: PUB,
    bookLanguage: 'en',
    index: 2,
    displayPath: (abs) => path.relative(ctx.publicationDir ?? PUB, abs),
    ...ctx,
  });
}

/** HTML of a chapter body, with the line breaks between blocks removed for compact expectations. */
function html(body: string, frontMatter: ChapterFrontMatter = {}, ctx: Partial<ParseContext> = {}): string {
  return chapterToHtml(parse(body, frontMatter, ctx).chapter.tree).replace(/>\n+</g, '><').trim();
}

function allIds(tree: Root): string[] {
  return [...chapterToHtml(tree).matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
}

function allFragments(tree: Root): string[] {
  return [...chapterToHtml(tree).matchAll(/\shref="#([^"]*)"/g)].map((m) => m[1]!);
}

describe('Markdown: CommonMark + GFM', () => {
  it('renders strikethrough, autolinks and tables with scoped header cells', () => {
    expect(html('~~gone~~ see https://example.org/a--b...')).toBe(
      '<p><del>gone</del> see <a href="https://example.org/a--b">https://example.org/a--b</a>…</p>',
    );
    expect(html('| a | b |\n|:--|--:|\n| 1 | 2 |')).toBe(
      '<table><thead><tr><th scope="col" class="align-left">a</th><th scope="col" class="align-right">b</th></tr></thead>' +
        '<tbody><tr><td class="align-left">1</td><td class="align-right">2</td></tr></tbody></table>',
    );
  });

  it('keeps an explicit scope on header cells', () => {
    expect(html('<table><thead><tr><th scope="row">x</th></tr></thead></table>')).toBe(
      '<table><thead><tr><th scope="row">x</th></tr></thead></table>',
    );
  });

  it('serialises with chapterToHtml', () => {
    const { chapter } = parse('Hello *world*');
    expect(chapterToHtml(chapter.tree)).toBe('<p>Hello <em>world</em></p>');
  });
});

describe('chapter metadata', () => {
  it('takes the title from an opening heading of any depth and removes it', () => {
    const a = parse('# I\n\nText.');
    expect(a.chapter.title).toBe('I');
    expect(chapterToHtml(a.chapter.tree)).toBe('<p>Text.</p>');
    const b = parse('### The *Long* Road\n\nText.');
    expect(b.chapter.title).toBe('The Long Road');
    expect(chapterToHtml(b.chapter.tree)).toBe('<p>Text.</p>');
  });

  it('prefers the front-matter title and keeps a different opening heading', () => {
    const { chapter } = parse('# Prologue\n\nText.', { title: 'The Start' });
    expect(chapter.title).toBe('The Start');
    expect(chapterToHtml(chapter.tree)).toBe('<h1 id="ch-03-prologue">Prologue</h1>\n<p>Text.</p>');
  });

  it('drops an opening heading that repeats the front-matter title', () => {
    const { chapter } = parse('# The Start\n\nText.', { title: 'The Start' });
    expect(chapterToHtml(chapter.tree)).toBe('<p>Text.</p>');
  });

  it('falls back to "Chapter N" when the body does not open with a heading', () => {
    const { chapter, diagnostics } = parse('Text first.\n\n# Later');
    expect(chapter.title).toBe('Chapter 3');
    expect(diagnostics).toEqual([]);
    expect(chapter.tree.children.some((n) => n.type === 'element' && n.tagName === 'h1')).toBe(true);
  });

  it('applies smart punctuation to titles', () => {
    expect(parse('# The "Dry" Ports').chapter.title).toBe('The “Dry” Ports');
    expect(parse('x', { title: 'It\'s "here"', subtitle: 'One -- two' }).chapter).toMatchObject({
      title: 'It’s “here”',
      subtitle: 'One – two',
    });
  });

  it('sets id, language, direction, role and authors', () => {
    const { chapter } = parse('x');
    expect(chapter).toMatchObject({ id: 'ch-03', index: 2, lang: 'en', dir: 'ltr', role: 'chapter', authors: [] });
    expect(parse('x', { lang: 'ug', role: 'appendix' }).chapter).toMatchObject({ lang: 'ug', dir: 'rtl', role: 'appendix' });
    expect(parse('x', {}, { bookLanguage: 'he-IL', index: 0 }).chapter).toMatchObject({ id: 'ch-01', lang: 'he-IL', dir: 'rtl' });
    for (const lang of ['ar', 'fa', 'ur', 'yi', 'ps', 'sd', 'ckb', 'dv', 'az-Arab']) {
      expect(parse('x', { lang }).chapter.dir).toBe('rtl');
    }
    for (const lang of ['en', 'ru', 'kk', 'zh-Hans', 'ug-Latn']) {
      expect(parse('x', { lang }).chapter.dir).toBe('ltr');
    }
  });
});

describe('heading ids', () => {
  it('prefixes with the chapter id, slugs like GitHub and numbers duplicates', () => {
    const { chapter } = parse('# Title\n\n## The River\n\n### The river!\n\n## The River\n\n## Граница и «дорога»\n\n## ???');
    expect(chapter.headings).toEqual([
      { id: 'ch-03-the-river', depth: 2, text: 'The River' },
      { id: 'ch-03-the-river-1', depth: 3, text: 'The river!' },
      { id: 'ch-03-the-river-2', depth: 2, text: 'The River' },
      { id: 'ch-03-граница-и-дорога', depth: 2, text: 'Граница и «дорога»' },
      { id: 'ch-03-section', depth: 2, text: '???' },
    ]);
  });

  it('avoids ids already used in the chapter and keeps ids given in HTML', () => {
    const { chapter } = parse('Text[^1].\n\n## Fn 1\n\n<h2 id="mine">Own</h2>\n\n[^1]: Note.');
    expect(chapter.headings).toEqual([
      { id: 'ch-03-fn-1-1', depth: 2, text: 'Fn 1' },
      { id: 'ch-03-mine', depth: 2, text: 'Own' },
    ]);
  });

  it('rewrites same-chapter fragment links to the prefixed ids', () => {
    expect(html('Intro.\n\n## The River\n\n[up](#the-river) [away](#elsewhere) <span id="m">m</span> <a href="#m">m</a>')).toBe(
      '<p>Intro.</p><h2 id="ch-03-the-river">The River</h2>' +
        '<p><a href="#ch-03-the-river">up</a> <a href="#elsewhere">away</a> <span id="ch-03-m">m</span> <a href="#ch-03-m">m</a></p>',
    );
  });
});

describe('footnotes', () => {
  it('renders GFM footnotes with chapter-scoped ids and a "Notes" section', () => {
    expect(html('Text[^a].\n\n[^a]: The note.')).toBe(
      '<p>Text<sup><a href="#ch-03-fn-a" id="ch-03-fnref-a" data-footnote-ref="" aria-describedby="ch-03-footnote-label">1</a></sup>.</p>' +
        '<section data-footnotes="" class="footnotes"><h2 class="footnotes-title" id="ch-03-footnote-label">Notes</h2>' +
        '<ol><li id="ch-03-fn-a"><p>The note. <a href="#ch-03-fnref-a" data-footnote-backref="" aria-label="Back to reference 1" class="data-footnote-backref">↑</a></p></li></ol></section>',
    );
  });

  it('marks footnotes up the same whether the chapter holds raw HTML or not', () => {
    // A chapter without raw HTML skips the HTML parser's second pass (rehype-raw); the markup must not tell.
    const plain = html('Text[^a].\n\n[^a]: The note.');
    const raw = html('Text[^a].\n\n<p>Raw.</p>\n\n[^a]: The note.');
    expect(raw.replace('<p>Raw.</p>', '').replace(/\n/g, '')).toBe(plain.replace(/\n/g, ''));
  });

  it('takes a localised label and is not listed as a section', () => {
    const { chapter } = parse('Text[^1].\n\n[^1]: Note.', {}, { footnoteLabel: 'Примечания' });
    expect(chapterToHtml(chapter.tree)).toContain('<h2 class="footnotes-title" id="ch-03-footnote-label">Примечания</h2>');
    expect(chapter.headings).toEqual([]);
  });

  it('keeps ids unique and links working when two chapters are concatenated', () => {
    const body = '## Notes\n\nOne[^1] and two[^note].\n\n[^1]: First.\n\n[^note]: Second.';
    const trees = [0, 1].map((index) => parse(body, {}, { index }).chapter.tree);
    const ids = trees.flatMap(allIds);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('ch-01-fn-1');
    expect(ids).toContain('ch-02-fn-1');
    for (const fragment of trees.flatMap(allFragments)) expect(ids).toContain(fragment);
    const describedBy = trees.flatMap((t) => [...chapterToHtml(t).matchAll(/aria-describedby="([^"]*)"/g)].map((m) => m[1]!));
    for (const ref of describedBy) expect(ids).toContain(ref);
  });
});

describe('sanitising raw HTML', () => {
  const cases: Array<[string, string, string]> = [
    ['script', 'a<script>alert(1)</script>b', '<p>ab</p>'],
    ['script block', '<script>alert(1)</script>\n\nok', '<p>ok</p>'],
    ['event handler', '<img src="x" onerror="alert(1)" alt="">', '<img src="x" alt="">'],
    ['javascript: link', '<a href="javascript:alert(1)">x</a> [y](javascript:alert(1))', '<p><a>x</a> <a>y</a></p>'],
    [
      'disguised javascript: links',
      '<a href="JaVaScRiPt:alert(1)">a</a> <a href="jav&#x61;script:alert(1)">b</a> <a href=" javascript:alert(1)">c</a>',
      '<p><a>a</a> <a>b</a> <a>c</a></p>',
    ],
    ['vbscript: and data: links', '<a href="vbscript:msgbox(1)">v</a> <a href="data:text/html,x">d</a>', '<p><a>v</a> <a>d</a></p>'],
    ['iframe', '<iframe src="https://evil.example"></iframe>\n\nok', '<p>ok</p>'],
    ['object and embed', '<object data="x.swf"><embed src="x.swf"></object>\n\nok', '<p>ok</p>'],
    ['svg with script', 'a <svg><script>alert(1)</script><text>t</text></svg> b', '<p>a  b</p>'],
    ['style', '<style>body{display:none}</style>\n\nok', '<p>ok</p>'],
    ['form', '<form action="https://evil.example"><input name="q"><button>Go</button></form>\n\nok', '<p>ok</p>'],
    ['style attribute and unknown class', '<p style="color:red" class="note" data-x="1">t</p>', '<p class="note">t</p>'],
    ['class dropped where not allowed', '<em class="x">t</em>', '<p><em>t</em></p>'],
    ['comments', 'a <!-- hidden --> b', '<p>a  b</p>'],
    ['picture source bypass', '<picture><source srcset="https://x.example/a.png"></picture>', ''],
    ['obsolete elements unwrapped', '<tt>a</tt> <strike>b</strike> <font color="red">c</font>', '<p>a b c</p>'],
  ];
  for (const [name, input, expected] of cases) {
    it(`removes ${name}`, () => {
      expect(html(input)).toBe(expected);
    });
  }

  it('keeps book semantics: figure, aside, abbr, cite, q, small, sub, sup, mark, ruby, bdi, bdo, table spans', () => {
    const input =
      '<aside class="x"><p><abbr title="Kazakhstan">KZ</abbr> <cite>Book</cite> <q>q</q> <small>s</small> H<sub>2</sub>O x<sup>2</sup> ' +
      '<mark>m</mark> <ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> <bdi>b</bdi> <bdo dir="rtl">o</bdo></p></aside>\n\n' +
      '<table><tr><th colspan="2" rowspan="1">h</th></tr></table>';
    expect(html(input)).toBe(
      '<aside><p><abbr title="Kazakhstan">KZ</abbr> <cite>Book</cite> <q>q</q> <small>s</small> H<sub>2</sub>O x<sup>2</sup> ' +
        '<mark>m</mark> <ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> <bdi>b</bdi> <bdo dir="rtl">o</bdo></p></aside>' +
        '<table><tbody><tr><th colspan="2" rowspan="1">h</th></tr></tbody></table>',
    );
  });

  it('keeps lang and dir on any element', () => {
    expect(html('<div lang="ru"><p>текст</p></div>\n\n<em lang="de" dir="ltr">x</em>', { lang: 'en' })).toBe(
      '<div lang="ru"><p>текст</p></div><p><em lang="de" dir="ltr">x</em></p>',
    );
  });

  it('leaves template syntax as literal text', () => {
    const body = '{{title}} and {{> partial}} and {{{raw}}} and {{#each x}}y{{/each}}\n\n<p>{{title}}</p>\n\n`{{code}}`';
    const out = html(body);
    expect(out).toBe(
      '<p>{{title}} and {{> partial}} and {{{raw}}} and {{#each x}}y{{/each}}</p><p>{{title}}</p><p><code>{{code}}</code></p>',
    );
  });
});

describe('lang and dir', () => {
  it('gives right-to-left languages a dir and isolates direction changes', () => {
    expect(html('A <span lang="ug">قورغاس</span> b.\n\n<p lang="he">שלום</p>\n\n<span lang="ru">да</span>')).toBe(
      '<p>A <span lang="ug" dir="rtl">قورغاس</span> b.</p><p lang="he" dir="rtl">שלום</p><p><span lang="ru">да</span></p>',
    );
  });

  it('marks left-to-right text inside a right-to-left chapter', () => {
    expect(html('<span lang="en">Khorgos</span> <span lang="ar">نص</span>', { lang: 'ug' })).toBe(
      '<p><span lang="en" dir="ltr">Khorgos</span> <span lang="ar" dir="rtl">نص</span></p>',
    );
  });

  it('keeps a given dir and drops invalid values', () => {
    expect(html('<span lang="ug" dir="ltr">x</span> <span dir="sideways">y</span> <span dir="AUTO">z</span>')).toBe(
      '<p><span lang="ug" dir="ltr">x</span> <span>y</span> <span dir="auto">z</span></p>',
    );
  });
});

describe('smart punctuation', () => {
  it('uses English quotes, apostrophes, dashes and ellipses', () => {
    expect(html(`It's "smart", not 'dumb' -- in the '90s... the dogs' bowls --- and "*nested 'one'*".`)).toBe(
      '<p>It’s “smart”, not ‘dumb’ – in the ’90s… the dogs’ bowls — and “<em>nested ‘one’</em>”.</p>',
    );
  });

  it('uses « » with „ “ inside for Russian and Kazakh', () => {
    expect(html('Он сказал: "Станция "Достык" рядом".', { lang: 'ru' })).toBe('<p>Он сказал: «Станция „Достык“ рядом».</p>');
    expect(html(`"Қорғас" -- шекара. Д'Артаньян`, { lang: 'kk' })).toBe('<p>«Қорғас» – шекара. Д’Артаньян</p>');
    expect(html('Слово "*выделено*".', { lang: 'uk' })).toBe('<p>Слово «<em>выделено</em>».</p>');
  });

  it('uses German and French conventions', () => {
    expect(html(`Er sagte "ja" und 'nein'.`, { lang: 'de' })).toBe('<p>Er sagte „ja“ und ‚nein‘.</p>');
    expect(html(`"'Nein'". "Ja"-Wort`, { lang: 'de' })).toBe('<p>„‚Nein‘“. „Ja“-Wort</p>');
    expect(html('"Ja" "Nein"', { lang: 'de-CH' })).toBe('<p>«Ja» «Nein»</p>');
    expect(html('Il dit "oui "vraiment"".', { lang: 'fr' })).toBe('<p>Il dit «oui “vraiment”».</p>');
  });

  it('leaves Chinese and Japanese untouched', () => {
    expect(html('他说"你好"... --', { lang: 'zh-Hans' })).toBe('<p>他说"你好"... --</p>');
    expect(html('"引用"...', { lang: 'ja' })).toBe('<p>"引用"...</p>');
  });

  it('follows the nearest lang, not the chapter', () => {
    expect(html('"English" <span lang="ru">"русский"</span> <span lang="zh">"中文"</span>')).toBe(
      '<p>“English” <span lang="ru">«русский»</span> <span lang="zh">"中文"</span></p>',
    );
  });

  it('never touches code, keyboard input, samples, URLs or autolinks', () => {
    expect(html('"a" `"b" -- ...` <kbd>"c"--</kbd> <samp>"d"...</samp>\n\n```\n"e" -- ...\n```')).toBe(
      '<p>“a” <code>"b" -- ...</code> <kbd>"c"--</kbd> <samp>"d"...</samp></p><pre><code>"e" -- ...\n</code></pre>',
    );
    expect(html('Go to www.example.org/a--b...x or <https://x.org/--y>')).toBe(
      '<p>Go to <a href="http://www.example.org/a--b...x">www.example.org/a--b...x</a> or <a href="https://x.org/--y">https://x.org/--y</a></p>',
    );
    expect(smartPunctuation('see https://x.org/a--b -- "ok"', 'en')).toBe('see https://x.org/a--b – “ok”');
  });

  it('keeps quote state within a block and across inline code', () => {
    expect(html('"Use `x`" she said.\n\n"Stray\n\nnext" para')).toBe('<p>“Use <code>x</code>” she said.</p><p>“Stray</p><p>next” para</p>');
  });

  it('leaves longer runs of dashes and dots alone', () => {
    expect(html('a ---- b .... c')).toBe('<p>a ---- b .... c</p>');
  });
});

describe('figures', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-parse-fig-'));
    fs.mkdirSync(path.join(dir, 'images'));
    fs.writeFileSync(path.join(dir, 'images', 'a.png'), png(4, 3));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fig = (body: string) =>
    chapterToHtml(parse(body, {}, { publicationDir: dir }, path.join(dir, 'ch.md')).chapter.tree).replace(/>\n+</g, '><');

  it('turns an image alone in a paragraph into a figure captioned by its alt', () => {
    expect(fig('![A map](images/a.png)')).toBe(
      '<figure><img src="images/a.png" alt="A map" width="4" height="3"><figcaption>A map</figcaption></figure>',
    );
  });

  it('prefers the title as caption, and splits text around a titled image', () => {
    expect(fig('Before ![Map](images/a.png "The \\"map\\"") after.')).toBe(
      '<p>Before</p><figure><img src="images/a.png" alt="Map" width="4" height="3"><figcaption>The “map”</figcaption></figure><p>after.</p>',
    );
  });

  it('keeps an empty alt and gives no caption then', () => {
    expect(fig('![](images/a.png)')).toBe('<figure><img src="images/a.png" alt="" width="4" height="3"></figure>');
  });

  it('leaves untitled inline images inline and handles raw HTML images', () => {
    expect(fig('Icon ![i](images/a.png) here.')).toBe('<p>Icon <img src="images/a.png" alt="i" width="4" height="3"> here.</p>');
    expect(fig('<p><img src="images/a.png" alt="x" width="40"></p>')).toBe(
      '<figure><img src="images/a.png" alt="x" width="40"><figcaption>x</figcaption></figure>',
    );
  });
});

/** A PNG header is all image-size reads: signature, then the IHDR chunk with width and height. */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.writeUInt8(8, 16);
  ihdr.writeUInt8(6, 17);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
}

describe('images', () => {
  let root: string;
  let pub: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-parse-img-'));
    pub = path.join(root, 'book');
    fs.mkdirSync(path.join(pub, 'images'), { recursive: true });
    fs.mkdirSync(path.join(pub, 'part'));
    fs.writeFileSync(path.join(pub, 'images', 'ok.png'), png(640, 480));
    fs.writeFileSync(path.join(pub, 'images', 'two words.png'), png(10, 20));
    fs.writeFileSync(path.join(pub, 'images', 'empty.png'), '');
    fs.writeFileSync(path.join(pub, 'images', 'photo.bmp'), Buffer.from('BM not really'));
    fs.writeFileSync(path.join(root, 'secret.png'), png(1, 1));
    fs.symlinkSync(path.join(root, 'secret.png'), path.join(pub, 'images', 'link.png'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const run = (body: string, file = path.join(pub, 'ch.md'), bodyStartLine = 5) =>
    parseChapter(source(body, {}, file, bodyStartLine), {
      publicationDir: pub,
      bookLanguage: 'en',
      index: 0,
      displayPath: (abs) => path.relative(root, abs),
    });

  it('accepts local images, records absolute paths and rewrites src relative to the publication', () => {
    const { chapter, diagnostics } = run('![a](../images/ok.png)\n\n![b](<../images/two words.png>)\n\n![c](../images/ok.png)', path.join(pub, 'part', 'ch.md'));
    expect(diagnostics).toEqual([]);
    expect(chapter.images).toEqual([path.join(pub, 'images', 'ok.png'), path.join(pub, 'images', 'two words.png')]);
    const out = chapterToHtml(chapter.tree);
    expect(out).toContain('<img src="images/ok.png" alt="a" width="640" height="480">');
    expect(out).toContain('<img src="images/two%20words.png" alt="b" width="10" height="20">');
  });

  it('refuses remote, outside, absolute, linked-out, missing and empty images with the right lines', () => {
    const body = [
      'Intro.', // line 5 of the file
      '',
      '![r](https://example.org/a.png)', // 7
      '',
      'Text <img src="//cdn.example/b.png"> and ![d](data:image/png;base64,AAAA)', // 9
      '',
      '![o](../secret.png)', // 11
      '',
      `![abs](${path.join(pub, 'images', 'ok.png')})`, // 13
      '',
      '![l](images/link.png)', // 15
      '',
      '![m](images/nope.png)', // 17
      '',
      '<p>', // 19
      '<img src="images/empty.png" alt="">', // 20
      '</p>',
    ].join('\n');
    const { chapter, diagnostics } = run(body);
    expect(diagnostics.map((d) => [d.severity, d.code, d.line, d.file])).toEqual([
      ['error', 'IMAGE_REMOTE', 7, path.join('book', 'ch.md')],
      ['error', 'IMAGE_REMOTE', 9, path.join('book', 'ch.md')],
      ['error', 'IMAGE_REMOTE', 9, path.join('book', 'ch.md')],
      ['error', 'IMAGE_OUTSIDE', 11, path.join('book', 'ch.md')],
      ['error', 'IMAGE_OUTSIDE', 13, path.join('book', 'ch.md')],
      ['error', 'IMAGE_OUTSIDE', 15, path.join('book', 'ch.md')],
      ['error', 'IMAGE_MISSING', 17, path.join('book', 'ch.md')],
      ['error', 'IMAGE_EMPTY', 20, path.join('book', 'ch.md')],
    ]);
    expect(diagnostics[0]!.hint).toBe('download it into the publication folder and refer to it by a relative path');
    expect(diagnostics[0]!.column).toBe(1);
    expect(diagnostics[1]!.column).toBe(6);
    expect(chapter.images).toEqual([]);
  });

  it('warns about formats that not every edition can show', () => {
    const { diagnostics } = run('![p](images/photo.bmp)');
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'IMAGE_FORMAT', line: 5 }]);
  });
});

describe('multilingual fixture', () => {
  const dir = path.resolve(import.meta.dirname, '../../shared/fixtures/multilingual');
  const book = parseYaml(fs.readFileSync(path.join(dir, 'book.yaml'), 'utf8')) as { language: string; chapters: string[] };

  function read(name: string, index: number) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8');
    const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
    const frontMatter = (match ? parseYaml(match[1]!) : {}) as ChapterFrontMatter;
    const head = match ? match[0] : '';
    const chapterSource: ChapterSource = {
      file,
      relPath: name,
      frontMatter,
      body: text.slice(head.length),
      bodyStartLine: head.split('\n').length,
    };
    return parseChapter(chapterSource, { publicationDir: dir, bookLanguage: book.language, index, displayPath: (abs) => path.relative(dir, abs) });
  }

  const results = book.chapters.map((name, index) => read(name, index));
  const htmlOf = (i: number) => chapterToHtml(results[i]!.chapter.tree);

  it('parses every chapter without diagnostics', () => {
    expect(results.map((r) => r.diagnostics)).toEqual([[], [], [], []]);
    expect(results.map((r) => [r.chapter.id, r.chapter.title, r.chapter.lang, r.chapter.dir])).toEqual([
      ['ch-01', 'Crossing Points', 'en', 'ltr'],
      ['ch-02', 'Граница и железная дорога', 'ru', 'ltr'],
      ['ch-03', 'Шекара бекеті', 'kk', 'ltr'],
      ['ch-04', 'Names in Four Scripts', 'en', 'ltr'],
    ]);
  });

  it('keeps the Uyghur span and paragraph right to left', () => {
    expect(htmlOf(3)).toContain('<span lang="ug" dir="rtl">ئۈرۈمچی</span>');
    expect(htmlOf(3)).toContain('<p lang="ug" dir="rtl">ئۈرۈمچى شىنجاڭنىڭ ئەڭ چوڭ شەھىرى.</p>');
    expect(htmlOf(3)).toContain('<span lang="zh-Hans">乌鲁木齐</span>');
  });

  it('typesets Russian and English quotes and dashes', () => {
    expect(htmlOf(1)).toContain('На станции «Достык» вагоны');
    expect(htmlOf(1)).toContain('<p>«Сухой порт» — это не стена');
    expect(htmlOf(0)).toContain('Dostyk–Alashankou');
    expect(htmlOf(0)).toContain('“Dry ports”');
    expect(htmlOf(0)).toContain('It’s “smart quotes”, not “dumb” ones, and ‘single’ ones too; an ellipsis…');
    expect(htmlOf(0)).toContain('https://example.org/a/very/long/path/that/keeps/going/and/going/without/any/natural/break/point/at/all.html');
  });

  it('gives the footnotes ids of their own chapter', () => {
    expect(allIds(results[0]!.chapter.tree)).toEqual(expect.arrayContaining(['ch-01-fn-length', 'ch-01-fnref-length']));
    expect(allIds(results[1]!.chapter.tree)).toEqual(expect.arrayContaining(['ch-02-footnote-label']));
    const ids = results.flatMap((r) => allIds(r.chapter.tree));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
