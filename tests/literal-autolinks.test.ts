/**
 * Chapters that cannot hold a GFM literal autolink are parsed with those
 * constructs turned off (remark-literal-autolinks.ts): the tree must be the
 * one full GFM gives, and a chapter that does hold one keeps its links.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import remarkWithoutLiteralAutolinks, { mayHoldLiteralAutolinks } from '../scripts/parse/remark-literal-autolinks.ts';
import { parseChapter } from '../scripts/parse/parse-chapter.ts';
import { chapterToHtml } from '../scripts/parse/parse-chapter.ts';
import { FIXTURES, ROOT } from './helpers/build.ts';

const gfm = (markdown: string): Root => unified().use(remarkParse).use(remarkGfm).parse(markdown) as Root;
const withoutLiterals = (markdown: string): Root => unified().use(remarkParse).use(remarkGfm).use(remarkWithoutLiteralAutolinks).parse(markdown) as Root;

function markdownFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).map((f) => path.join(dir, f));
}

describe('literal autolinks', () => {
  it('parses every chapter of the fixtures and the sample that cannot hold one as full GFM does', () => {
    const files = [...markdownFiles(FIXTURES), ...markdownFiles(path.join(ROOT, 'content')), ...markdownFiles(path.join(ROOT, 'templates', 'scaffold'))];
    const plain = files.map((f) => fs.readFileSync(f, 'utf8')).filter((md) => !mayHoldLiteralAutolinks(md));
    // Most of the novel's 61 chapters, at least.
    expect(plain.length).toBeGreaterThan(50);
    for (const md of plain) expect(withoutLiterals(md)).toEqual(gfm(md));
  });

  it('tells each kind of literal autolink from text that holds none', () => {
    for (const md of ['Visit www.example.com today.', 'Visit WWW.example.com.', 'See https://example.org/a?b.', 'See HTTP://example.org.', 'Write to ask@example.net.']) {
      expect(mayHoldLiteralAutolinks(md)).toBe(true);
      expect(JSON.stringify(gfm(md))).toContain('"type":"link"');
    }
    for (const md of ['A colon: then words.', 'ftp is not linked, nor wwwexample.', 'Email at example dot com.']) {
      expect(mayHoldLiteralAutolinks(md)).toBe(false);
      expect(withoutLiterals(md)).toEqual(gfm(md));
    }
  });

  it('keeps the links of a chapter that holds them', () => {
    const body = 'Read www.example.com, https://example.org/report and write to desk@example.net.\n\nNo link here: just words.\n';
    const { chapter } = parseChapter(
      { file: '/pub/ch.md', relPath: 'ch.md', frontMatter: {}, body, bodyStartLine: 1 },
      { publicationDir: '/pub', bookLanguage: 'en', index: 0, displayPath: (p) => p },
    );
    const html = chapterToHtml(chapter.tree);
    expect(html).toContain('href="http://www.example.com"');
    expect(html).toContain('href="https://example.org/report"');
    expect(html).toContain('href="mailto:desk@example.net"');
  });
});
