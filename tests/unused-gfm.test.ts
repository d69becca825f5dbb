/**
 * Chapters that cannot hold a GFM literal autolink or table are parsed with
 * those constructs turned off (remark-unused-gfm.ts): the tree must be the
 * one full GFM gives, and a chapter that does hold one keeps it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import remarkWithoutUnusedGfm, { mayHoldLiteralAutolinks, mayHoldTables, unusedGfm } from '../scripts/parse/remark-unused-gfm.ts';
import { parseChapter } from '../scripts/parse/parse-chapter.ts';
import { chapterToHtml } from '../scripts/parse/parse-chapter.ts';
import { FIXTURES, ROOT } from './helpers/build.ts';

const gfm = (markdown: string): Root => {
  const p = unified().use(remarkParse).use(remarkGfm);
  return p.runSync(p.parse(markdown)) as Root;
};
const processor = (markdown: string) => unified().use(remarkParse).use(remarkGfm).use(remarkWithoutUnusedGfm, unusedGfm(markdown));
// Parsed and run through the transforms of remark-gfm (the search for literal autolinks among them).
const trimmed = (markdown: string): Root => {
  const p = processor(markdown);
  return p.runSync(p.parse(markdown)) as Root;
};

function markdownFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).map((f) => path.join(dir, f));
}

function parse(body: string): string {
  const { chapter } = parseChapter(
    { file: '/pub/ch.md', relPath: 'ch.md', frontMatter: {}, body, bodyStartLine: 1 },
    { publicationDir: '/pub', bookLanguage: 'en', index: 0, displayPath: (p) => p },
  );
  return chapterToHtml(chapter.tree);
}

describe('GFM constructs a chapter cannot use', () => {
  it('parses every chapter of the fixtures and the sample as full GFM does', () => {
    const files = [...markdownFiles(FIXTURES), ...markdownFiles(path.join(ROOT, 'content')), ...markdownFiles(path.join(ROOT, 'templates', 'scaffold'))];
    const sources = files.map((f) => fs.readFileSync(f, 'utf8'));
    // Most of the novel's 61 chapters hold neither, and some chapter of the sample holds a table.
    expect(sources.filter((md) => unusedGfm(md).constructs.length === 4 && unusedGfm(md).literalAutolinks).length).toBeGreaterThan(50);
    expect(sources.some((md) => mayHoldTables(md) && JSON.stringify(gfm(md)).includes('"type":"table"'))).toBe(true);
    for (const md of sources) expect(trimmed(md)).toEqual(gfm(md));
  });

  it('tells each kind of literal autolink from text that holds none', () => {
    for (const md of ['Visit www.example.com today.', 'Visit WWW.example.com.', 'See https://example.org/a?b.', 'See HTTP://example.org.', 'Write to ask@example.net.']) {
      expect(mayHoldLiteralAutolinks(md)).toBe(true);
      expect(JSON.stringify(gfm(md))).toContain('"type":"link"');
    }
    for (const md of ['A colon: then words.', 'ftp is not linked, nor wwwexample.', 'Email at example dot com.']) {
      expect(mayHoldLiteralAutolinks(md)).toBe(false);
      expect(trimmed(md)).toEqual(gfm(md));
    }
  });

  it('tells a table from what only looks like its rows', () => {
    for (const md of ['| a |\n| - |\n| 1 |\n', 'a | b\n--|--\n1 | 2\n', '| a\n| -\n', 'a\n:-:\n', 'a\n---:\n', '> a\n> :--\n']) {
      expect(mayHoldTables(md)).toBe(true);
      expect(JSON.stringify(gfm(md))).toContain('"type":"table"');
    }
    // Headings over a line of hyphens, a thematic break, a list item of hyphens, colons apart from hyphens.
    for (const md of ['a\n-\n', 'Title\n---\n\ntext\n', 'text\n\n---\n', '- - -\n', 'Note: a\n---\n', 'a\n: --\n']) {
      expect(mayHoldTables(md)).toBe(false);
      expect(JSON.stringify(gfm(md))).not.toContain('"type":"table"');
      expect(trimmed(md)).toEqual(gfm(md));
    }
  });

  it('leaves out the search for literal autolinks only where none can be found', () => {
    const transforms = (p: ReturnType<typeof processor>) => {
      p.freeze();
      return (p.data('fromMarkdownExtensions') as unknown[]).flat(Infinity).flatMap((e) => (e as { transforms?: unknown[] }).transforms ?? []).length;
    };
    const full = transforms(unified().use(remarkParse).use(remarkGfm) as ReturnType<typeof processor>);
    expect(full).toBeGreaterThan(0);
    expect(transforms(processor('Plain words.'))).toBe(full - 1);
    expect(transforms(processor('Mail ask@example.net.'))).toBe(full);
  });

  it('keeps the links and tables of a chapter that holds them', () => {
    const html = parse('Read www.example.com, https://example.org/report and write to desk@example.net.\n\nNo link here: just words.\n\n| Year | Output |\n| ---: | --- |\n| 2024 | 3 |\n');
    expect(html).toContain('href="http://www.example.com"');
    expect(html).toContain('href="https://example.org/report"');
    expect(html).toContain('href="mailto:desk@example.net"');
    expect(html).toMatch(/<table>[\s\S]*<td[^>]*>2024<\/td>/);
  });
});
