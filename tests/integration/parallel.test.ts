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
import { normalise, pdfPages } from '../helpers/tools.ts';

async function pagesBothWays(dir: string, slug: string, partSize?: number) {
  const fast = tempDir();
  const ref = tempDir();
  await build({ input: dir, outDir: fast, formats: ['pdf', 'print'], cacheDir: false, partSize });
  await build({ input: dir, outDir: ref, formats: ['pdf', 'print'], singleDocument: true, cacheDir: false });
  return (['', '-print'] as const).map((suffix) => ({
    fast: pdfPages(path.join(fast, slug, `${slug}${suffix}.pdf`)),
    ref: pdfPages(path.join(ref, slug, `${slug}${suffix}.pdf`)),
  }));
}

describe.each([
  // The sample one chapter a part; the novel in parts of several chapters, as built by default.
  { name: 'sample', dir: path.join(ROOT, 'content', 'colophon-guide'), slug: 'colophon-guide', partSize: 1 },
  { name: 'novel', dir: path.join(FIXTURES, 'novel'), slug: 'novel', partSize: undefined },
])('parallel pagination of the $name', ({ dir, slug, partSize }) => {
  it('gives the same pages and text as the single-document reference', { timeout: 900_000 }, async () => {
    for (const { fast, ref } of await pagesBothWays(dir, slug, partSize)) {
      expect(fast.length).toBeGreaterThan(10);
      expect(fast.length).toBe(ref.length);
      for (let i = 1; i < fast.length; i++) expect(normalise(fast[i]), `page ${i}`).toBe(normalise(ref[i]));
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

    const again = await build(options);
    expect(again.publications[0].layout.screen!.cached).toBe(parts);

    const chapter = path.join(pub, '03-many-languages.md');
    fs.writeFileSync(chapter, fs.readFileSync(chapter, 'utf8') + '\n\nA sentence added in an edit.\n');
    const edited = await build(options);
    expect(edited.publications[0].layout.screen!.cached).toBe(parts - 1);
    const text = normalise(pdfPages(path.join(out, 'guide', 'guide.pdf')).join(' '));
    expect(text).toContain('A sentence added in an edit.');
  });
});
