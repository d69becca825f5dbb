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
import { epubcheck, normalise, pdfBoxesAll, pdffonts, pdfinfo, pdfPages, pdftext, renderPages } from '../helpers/tools.ts';
import { readOutline } from '../helpers/pdf.ts';
import type { PublicationResult } from '../../scripts/editions.ts';

const PUBLICATIONS = [
  { name: 'sample', dir: path.join(ROOT, 'content', 'colophon-guide'), minPages: 15, maxPages: 60 },
  { name: 'article', dir: path.join(FIXTURES, 'article'), minPages: 3, maxPages: 12 },
  { name: 'multilingual', dir: path.join(FIXTURES, 'multilingual'), minPages: 5, maxPages: 20 },
  { name: 'novel', dir: path.join(FIXTURES, 'novel'), minPages: 250, maxPages: 700 },
];

async function parsed(dir: string): Promise<{ pub: Publication; chapters: ParsedChapter[] }> {
  const pub = await loadPublication(dir);
  return { pub, chapters: await parsePublication(pub, createContext({ input: dir, outDir: 'unused', formats: [] })) };
}

describe.each(PUBLICATIONS)('$name', ({ dir, minPages, maxPages }) => {
  let out: string;
  let slug: string;
  let pub: Publication;
  let chapters: ParsedChapter[];
  let pages: string[];
  let printPages: string[];
  let result: PublicationResult;

  beforeAll(async () => {
    ({ pub, chapters } = await parsed(dir));
    slug = pub.meta.slug;
    const summary = await buildInto(dir);
    result = summary.publications[0];
    out = path.join(summary.outDir, slug);
    pages = pdfPages(path.join(out, `${slug}.pdf`));
    printPages = pdfPages(path.join(out, `${slug}-print.pdf`));
    // Pages to look at while working on the theme (not asserted).
    renderPages(path.join(out, `${slug}-print.pdf`), path.join(ROOT, 'test-artifacts', slug), [1, 3, 5, 6, 8]);
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

  it.each(['screen', 'print'] as const)('%s PDF: every chapter opens at the page number the contents print', (edition) => {
    if (pub.meta.layout !== 'book') return;
    const file = path.join(out, edition === 'screen' ? `${slug}.pdf` : `${slug}-print.pdf`);
    const text = edition === 'screen' ? pages : printPages;
    const folios = result.pageMaps[edition]!.folios;
    const contentsPage = text.findIndex((p) => /^\s*Contents\s*$/m.test(p));
    expect(contentsPage).toBeGreaterThan(0);
    const tocText = pdftext(file, { first: contentsPage, last: contentsPage + Math.ceil(chapters.length / 20), layout: true });
    // Contents lines end in the page number; the dotted leader is drawn, not text.
    const entries = [...tocText.matchAll(/^\s*(\S.*?)\s+(\d+)\s*$/gm)].map((m) => ({ title: m[1], folio: m[2] }));
    let cursor = 0;
    for (const ch of chapters) {
      const at = entries.findIndex((e, i) => i >= cursor && normalise(e.title).startsWith(normalise(ch.title)));
      expect(at, `contents entry for ${ch.title}`).toBeGreaterThanOrEqual(0);
      cursor = at + 1;
      // The physical page that carries this page number…
      const physical = folios.indexOf(entries[at].folio) + 1;
      expect(physical, `a page numbered ${entries[at].folio}`).toBeGreaterThan(0);
      // …is where pdftotext finds the chapter title first on the page.
      const firstLine = text[physical].split('\n').find((l) => l.trim())!;
      expect(normalise(firstLine), `page ${entries[at].folio} opens ${ch.title}`).toBe(normalise(ch.title));
      // Chapters open on a right-hand page in both editions (the screen edition counts its cover and inside cover).
      expect(physical % 2, `${ch.title} on a recto`).toBe(1);
    }
    // The folio printed at the foot of a full page agrees with the map.
    const sample = folios.findIndex((f, i) => /^\d+$/.test(f) && Number(f) > 1 && !Object.values(result.pageMaps[edition]!.chapterStarts).includes(i + 1) && text[i + 1].trim());
    const lines = text[sample + 1].trim().split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines[lines.length - 1]).toBe(folios[sample]);
  });

  it('keeps notes on the page of their call and leaves no single lines alone', () => {
    for (const edition of ['screen', 'print'] as const) {
      const map = result.pageMaps[edition]!;
      expect(map.notesAway, edition).toEqual([]);
      expect(map.lonelyLines, edition).toEqual([]);
    }
  });

  it('print PDF: trim and bleed boxes on every page, an even page count, no cover', () => {
    const file = path.join(out, `${slug}-print.pdf`);
    const boxes = pdfBoxesAll(file);
    const bleed = (3 / 25.4) * 72;
    expect(boxes.length % 2).toBe(0);
    for (const [i, b] of boxes.entries()) {
      expect(b.BleedBox, `page ${i + 1}`).toEqual(b.MediaBox);
      const [mx0, my0, mx1, my1] = b.MediaBox;
      const [tx0, ty0, tx1, ty1] = b.TrimBox;
      expect(tx1 - tx0 + 2 * bleed, `page ${i + 1} width`).toBeCloseTo(mx1 - mx0, 0);
      expect(ty1 - ty0 + 2 * bleed, `page ${i + 1} height`).toBeCloseTo(my1 - my0, 0);
    }
    // The print edition is the screen edition without its cover and inside cover.
    if (pub.meta.layout === 'book') {
      // (plus a blank last page when that makes the count even)
      expect([pages.length - 2, pages.length - 1]).toContain(printPages.length);
      expect(normalise(printPages[1])).toBe(normalise(pages[3]));
    }
  });

  it('screen PDF: bookmarks for every chapter, with sections nested', async () => {
    const outline = await readOutline(path.join(out, `${slug}.pdf`));
    expect(outline.map((o) => normalise(o.title))).toEqual(chapters.map((c) => normalise(c.title)));
    const withSections = chapters.findIndex((c) => c.headings.some((h) => h.depth === 2));
    if (withSections >= 0) expect(outline[withSections].children.length).toBeGreaterThan(0);
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
