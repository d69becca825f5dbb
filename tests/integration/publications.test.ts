/**
 * Builds the sample and every shared fixture and checks the outputs with the
 * real tools: EPUBCheck, pdfinfo, pdffonts, pdftotext.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPublication } from '../../scripts/load/load-publication.ts';
import { parsePublication } from '../../scripts/parse/parse-publication.ts';
import { createContext } from '../../scripts/context.ts';
import type { ParsedChapter, Publication } from '../../scripts/model.ts';
import { FIXTURES, ROOT, buildInto, closingWords } from '../helpers/build.ts';
import { epubcheck, normalise, pdffonts, pdfinfo, pdfPages, pdftext } from '../helpers/tools.ts';

const PUBLICATIONS = [
  { name: 'sample', dir: path.join(ROOT, 'content', 'colophon-guide'), minPages: 15, maxPages: 60 },
  { name: 'article', dir: path.join(FIXTURES, 'article'), minPages: 3, maxPages: 12 },
  { name: 'multilingual', dir: path.join(FIXTURES, 'multilingual'), minPages: 5, maxPages: 20 },
  { name: 'novel', dir: path.join(FIXTURES, 'novel'), minPages: 250, maxPages: 700 },
];

async function parsed(dir: string): Promise<{ pub: Publication; chapters: ParsedChapter[] }> {
  const pub = await loadPublication(dir);
  return { pub, chapters: parsePublication(pub, createContext({ input: dir, outDir: 'unused', formats: [] })) };
}

describe.each(PUBLICATIONS)('$name', ({ dir, minPages, maxPages }) => {
  let out: string;
  let slug: string;
  let pub: Publication;
  let chapters: ParsedChapter[];
  let pages: string[];

  beforeAll(async () => {
    ({ pub, chapters } = await parsed(dir));
    slug = pub.meta.slug;
    const summary = await buildInto(dir);
    out = path.join(summary.outDir, slug);
    pages = pdfPages(path.join(out, `${slug}.pdf`));
  });

  it('writes every edition where the contract says', () => {
    for (const f of [`${slug}.pdf`, `${slug}-print.pdf`, `${slug}.epub`, 'index.html']) {
      expect(fs.statSync(path.join(out, f)).size, f).toBeGreaterThan(1000);
    }
    expect(fs.existsSync(path.join(out, '..', 'index.html'))).toBe(true);
  });

  it('passes EPUBCheck with no errors and no warnings', () => {
    const r = epubcheck(path.join(out, `${slug}.epub`));
    expect(r.output).not.toMatch(/ERROR|WARNING|FATAL/);
    expect([r.fatals, r.errors, r.warnings]).toEqual([0, 0, 0]);
  });

  it('has title, author and a sensible page count in pdfinfo', () => {
    const info = pdfinfo(path.join(out, `${slug}.pdf`));
    expect(info.Title).toBe(pub.meta.title);
    expect(info.Author).toBe(pub.meta.authors.map((a) => a.name).join(', '));
    expect(Number(info.Pages)).toBeGreaterThanOrEqual(minPages);
    expect(Number(info.Pages)).toBeLessThanOrEqual(maxPages);
    expect(info.Tagged).toBe('yes');
  });

  it('embeds every font it uses', () => {
    for (const file of [`${slug}.pdf`, `${slug}-print.pdf`]) {
      const fonts = pdffonts(path.join(out, file));
      expect(fonts.length).toBeGreaterThan(0);
      expect(fonts.filter((f) => !f.embedded).map((f) => f.name), file).toEqual([]);
      // Fonts come from the theme's packages, never from the system.
      expect(fonts.filter((f) => !/Noto/.test(f.name)).map((f) => f.name), file).toEqual([]);
    }
  });

  it('contains every chapter title and the closing words of the book', () => {
    const text = normalise(pages.join(' '));
    if (pub.meta.layout === 'book' || chapters.length > 1) {
      for (const ch of chapters) expect(text, ch.title).toContain(normalise(ch.title));
    }
    const last = closingWords(chapters[chapters.length - 1].source.file);
    expect(text).toContain(normalise(last));
  });

  it('starts every chapter on a new page, at the page the contents give', () => {
    if (pub.meta.layout !== 'book') return;
    const contentsPage = pages.findIndex((p) => /^\s*Contents\s*$/m.test(p));
    expect(contentsPage).toBeGreaterThan(0);
    const tocText = pdftext(path.join(out, `${slug}.pdf`), {
      first: contentsPage,
      last: contentsPage + Math.ceil(chapters.length / 20),
      layout: true,
    });
    const entries = [...tocText.matchAll(/^\s*(\S.*?)\s+(\d+)\s*$/gm)].map((m) => ({ title: m[1], page: Number(m[2]) }));
    let cursor = 0;
    for (const ch of chapters) {
      const at = entries.findIndex((e, i) => i >= cursor && normalise(e.title).startsWith(normalise(ch.title)));
      expect(at, `contents entry for ${ch.title}`).toBeGreaterThanOrEqual(0);
      cursor = at + 1;
      const printed = entries[at].page;
      const firstLine = pages[printed].split('\n').find((l) => l.trim())!;
      expect(normalise(firstLine), `page ${printed} opens ${ch.title}`).toBe(normalise(ch.title));
    }
  });
});

describe('reproducible EPUB', () => {
  it('gives byte-identical EPUBs for two builds of the same input', async () => {
    const dir = path.join(FIXTURES, 'multilingual');
    const a = await buildInto(dir, { formats: ['epub'] });
    const b = await buildInto(dir, { formats: ['epub'] });
    const bytesA = fs.readFileSync(path.join(a.outDir, 'multilingual', 'multilingual.epub'));
    const bytesB = fs.readFileSync(path.join(b.outDir, 'multilingual', 'multilingual.epub'));
    expect(bytesA.length).toBeGreaterThan(1000);
    expect(bytesA.equals(bytesB)).toBe(true);
    // mimetype first and stored (EPUB OCF).
    expect(bytesA.subarray(30, 38).toString()).toBe('mimetype');
    expect(bytesA.readUInt16LE(8)).toBe(0);
  });
});
