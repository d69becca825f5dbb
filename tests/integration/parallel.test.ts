/**
 * The fast path (chapters laid out apart, in parallel, then joined) against
 * the reference (the whole book as one Paged.js document): same pages, same
 * text on every page, same contents numbers. And the cache: a second build
 * lays out nothing again; editing one chapter lays out only its part.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.ts';
import { FIXTURES, ROOT, tempDir } from '../helpers/build.ts';
import { execFileSync } from 'node:child_process';
import { normalise, pdfPages, pdfinfo } from '../helpers/tools.ts';
import { namedLinks, structParentsCheck } from '../helpers/pdf.ts';

async function pagesBothWays(dir: string, slug: string, options: { partSize?: number; chunkPages?: number; printing?: 'parts' | 'joined'; garbagePages?: number }) {
  const fast = tempDir();
  const ref = tempDir();
  const summary = await build({ input: dir, outDir: fast, formats: ['pdf', 'print'], cacheDir: false, ...options });
  await build({ input: dir, outDir: ref, formats: ['pdf', 'print'], singleDocument: true, cacheDir: false });
  const maps = summary.publications[0].pageMaps;
  const editions = (['', '-print'] as const).map((suffix) => ({
    file: path.join(fast, slug, `${slug}${suffix}.pdf`),
    chapterStarts: (suffix ? maps.print : maps.screen)!.chapterStarts,
    fast: pdfPages(path.join(fast, slug, `${slug}${suffix}.pdf`)),
    ref: pdfPages(path.join(ref, slug, `${slug}${suffix}.pdf`)),
  }));
  return { editions, layout: summary.publications[0].layout };
}

const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');
describe.each([
  // The sample one chapter a part (its cross-references point both ways),
  // printed part by part and joined in chunks of a few pages; the novel in
  // parts of several chapters, as built by default.
  // Printed part by part, its layout pages collecting the parts they are done with after every part.
  { name: 'sample, printed part by part', dir: SAMPLE, slug: 'colophon-guide', options: { partSize: 1, printing: 'parts' as const, garbagePages: 1 } },
  { name: 'sample, joined in chunks', dir: SAMPLE, slug: 'colophon-guide', options: { partSize: 1, printing: 'joined' as const, chunkPages: 8 } },
  { name: 'novel', dir: path.join(FIXTURES, 'novel'), slug: 'novel', options: {} },
])('parallel pagination of the $name', ({ dir, slug, options }) => {
  it('gives the same pages and text as the single-document reference, in one tagged PDF whose links all resolve', { timeout: 900_000 }, async () => {
    const { editions, layout } = await pagesBothWays(dir, slug, options);
    expect(layout.screen!.chunks).toBeGreaterThan(1);
    // Each edition's workers began on pages made ready while the chapters were parsed.
    expect(layout.screen!.prepared).toBeGreaterThan(0);
    expect(layout.print!.prepared).toBeGreaterThan(0);
    // Where asked to, the layout pages did collect the parts they were done with.
    if (options.garbagePages) expect(layout.screen!.collected).toBeGreaterThan(0);
    for (const { file, chapterStarts, fast, ref } of editions) {
      expect(fast.length).toBeGreaterThan(10);
      expect(fast.length).toBe(ref.length);
      for (let i = 1; i < fast.length; i++) expect(normalise(fast[i]), `page ${i}`).toBe(normalise(ref[i]));

      // The chunks merged into one sound, tagged PDF.
      expect(pdfinfo(file).Tagged).toBe('yes');
      expect(() => execFileSync('qpdf', ['--check', file], { stdio: 'pipe' })).not.toThrow();
      const tags = await structParentsCheck(file);
      expect(tags.missing).toBe(0);
      expect(tags.next).toBeGreaterThanOrEqual(tags.keys);
      // Every link resolves; a link to a chapter (the contents) lands on the page the chapter opens.
      const links = await namedLinks(file);
      expect(links.filter((l) => l.target === undefined)).toEqual([]);
      const toChapters = links.filter((l) => l.name in chapterStarts);
      expect(toChapters.length).toBeGreaterThanOrEqual(Object.keys(chapterStarts).length);
      for (const link of toChapters) expect(link.target, link.name).toBe(chapterStarts[link.name]);
    }
  });
});

describe('pagination cache', () => {
  it('reuses laid-out chapters and lays out again only the chapter that changed', { timeout: 300_000 }, async () => {
    const src = tempDir();
    const pub = path.join(src, 'guide');
    fs.cpSync(path.join(ROOT, 'content', 'colophon-guide'), pub, { recursive: true });
    const out = tempDir();
    // Parts of one chapter each (a real build groups short chapters into parts).
    const options = { input: pub, outDir: out, formats: ['pdf' as const], partSize: 1 };
    const first = await build(options);
    const parts = first.publications[0].layout.screen!.parts;
    expect(parts).toBe(1 + first.publications[0].pageMaps.screen!.outline.length);
    expect(first.publications[0].layout.screen!.cached).toBe(0);

    expect(first.publications[0].layout.screen!.printed).toBe(parts);

    const again = await build(options);
    expect(again.publications[0].layout.screen!.cached).toBe(parts);
    // Nothing changed: nothing is printed again either.
    expect(again.publications[0].layout.screen!.printed).toBe(0);

    const chapter = path.join(pub, '03-many-languages.md');
    fs.writeFileSync(chapter, fs.readFileSync(chapter, 'utf8') + '\n\nA sentence added in an edit.\n');
    const edited = await build(options);
    expect(edited.publications[0].layout.screen!.cached).toBe(parts - 1);
    // The edited part is printed again, and the parts whose page numbers it moved.
    const { printed } = edited.publications[0].layout.screen!;
    expect(printed).toBeGreaterThanOrEqual(1);
    expect(printed).toBeLessThan(parts);
    const text = normalise(pdfPages(path.join(out, 'guide', 'guide.pdf')).join(' '));
    expect(text).toContain('A sentence added in an edit.');
  });

  it('lays out only the edited chapter of a part of several, and puts the part together from the others’ cached pages', { timeout: 300_000 }, async () => {
    const src = tempDir();
    const pub = path.join(src, 'guide');
    fs.cpSync(path.join(ROOT, 'content', 'colophon-guide'), pub, { recursive: true });
    const out = tempDir();
    // Every chapter in one part.
    const options = { input: pub, outDir: out, formats: ['pdf' as const, 'print' as const], partSize: 10_000_000 };
    const first = (await build(options)).publications[0];
    expect(first.layout.screen!.parts).toBe(2);
    const chapters = first.pageMaps.screen!.outline.length;
    expect(first.layout.screen!.chapters).toBe(0);

    const chapter = path.join(pub, '04-paper-and-screen.md');
    fs.writeFileSync(chapter, fs.readFileSync(chapter, 'utf8') + '\n\nA sentence added in an edit.\n');
    const edited = (await build(options)).publications[0];
    for (const edition of ['screen', 'print'] as const) {
      expect(edited.layout[edition]!.chapters).toBe(1);
      expect(edited.layout[edition]!.pieces).toBe(chapters - 1);
      // The other chapters' printed pages come from the PDF they were printed in:
      // only the edited chapter is printed (with the front matter, whose contents page numbers moved).
      expect(edited.layout[edition]!.piecesReused).toBe(chapters - 1);
      expect(edited.layout[edition]!.printed).toBeLessThanOrEqual(2);
    }
    // The same pages as a build of the edited book from nothing.
    const ref = tempDir();
    await build({ ...options, outDir: ref, cacheDir: false });
    for (const file of ['guide.pdf', 'guide-print.pdf']) {
      const fast = pdfPages(path.join(out, 'guide', file));
      const whole = pdfPages(path.join(ref, 'guide', file));
      expect(fast.length).toBe(whole.length);
      for (let i = 0; i < fast.length; i++) expect(normalise(fast[i]), `${file}, page ${i + 1}`).toBe(normalise(whole[i]));
      expect(() => execFileSync('qpdf', ['--check', path.join(out, 'guide', file)], { stdio: 'pipe' })).not.toThrow();
      const links = await namedLinks(path.join(out, 'guide', file));
      expect(links.filter((l) => l.target === undefined)).toEqual([]);
      // Pages taken from several printings still make one tagged PDF: every page's marked content has its parent.
      const tags = await structParentsCheck(path.join(out, 'guide', file));
      expect(tags.missing).toBe(0);
      expect(tags.next).toBeGreaterThanOrEqual(tags.keys);
    }
    expect(normalise(pdfPages(path.join(out, 'guide', 'guide.pdf')).join(' '))).toContain('A sentence added in an edit.');

    // The part put together is cached whole: nothing is laid out or printed again,
    // its pages taken from the two PDFs they were printed in.
    const again = (await build(options)).publications[0];
    for (const edition of ['screen', 'print'] as const) {
      expect(again.layout[edition]!.cached).toBe(2);
      expect(again.layout[edition]!.printed).toBe(0);
      expect(again.layout[edition]!.piecesReused).toBe(chapters);
    }

    // Chapters' entries that cannot be read are laid out after all: here every one, after another edit.
    const pages = path.join(out, '.colophon-cache', 'pages');
    const entries = fs.readdirSync(pages).filter((f) => f.endsWith('.chapter.json.gz'));
    expect(entries.length).toBeGreaterThanOrEqual(2 * chapters);
    for (const f of entries) fs.writeFileSync(path.join(pages, f), 'not gzip');
    fs.writeFileSync(chapter, fs.readFileSync(chapter, 'utf8') + '\n\nAnd a second one.\n');
    const damaged = (await build(options)).publications[0];
    expect(damaged.layout.screen!.chapters).toBe(chapters);
    expect(damaged.layout.screen!.pieces).toBe(0);
    await build({ ...options, outDir: ref, cacheDir: false });
    const fast = pdfPages(path.join(out, 'guide', 'guide.pdf'));
    const whole = pdfPages(path.join(ref, 'guide', 'guide.pdf'));
    expect(fast.map(normalise)).toEqual(whole.map(normalise));
  });
});
