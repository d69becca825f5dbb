/**
 * colophon dev's web edition, shown before the PDFs and EPUB are rebuilt
 * (by a quick web build, or early in the build of every edition), keeps
 * those the last full build made, with their download links, until the new
 * ones replace them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../scripts/build.ts';
import type { PublicationManifest } from '../scripts/editions.ts';
import { ROOT, tempDir } from './helpers/build.ts';

const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');
const SLUG = 'colophon-guide';
const EDITIONS = [`${SLUG}.pdf`, `${SLUG}-print.pdf`, `${SLUG}.epub`];

const manifestOf = (out: string) => JSON.parse(fs.readFileSync(path.join(out, SLUG, 'publication.json'), 'utf8')) as PublicationManifest;
const linksOf = (out: string) => [...fs.readFileSync(path.join(out, SLUG, 'index.html'), 'utf8').matchAll(/href="([^"]+\.(?:pdf|epub))"/g)].map((m) => m[1]);

describe('a web build beside earlier editions', () => {
  let out: string;
  let before: Record<string, Buffer>;
  beforeAll(async () => {
    out = tempDir();
    await build({ input: SAMPLE, outDir: out, formats: ['pdf', 'print', 'epub', 'web'] });
    before = Object.fromEntries(EDITIONS.map((f) => [f, fs.readFileSync(path.join(out, SLUG, f))]));
  }, 300_000);

  it('keeps them, listed and linked as a full build lists them, when asked to', { timeout: 120_000 }, async () => {
    const full = manifestOf(out).outputs;
    await build({ input: SAMPLE, outDir: out, formats: ['web'], keepEditions: true });
    for (const f of EDITIONS) expect(fs.readFileSync(path.join(out, SLUG, f)).equals(before[f]), f).toBe(true);
    const kept = manifestOf(out).outputs;
    expect(kept.map((o) => o.kind)).toEqual(['pdf', 'print', 'epub', 'web']);
    expect(kept.filter((o) => o.kind !== 'web')).toEqual(full.filter((o) => o.kind !== 'web'));
    expect(linksOf(out).sort()).toEqual([...EDITIONS].sort());
  });

  it('keeps nothing the manifest does not name as a file of the folder, nor a file that is gone', { timeout: 120_000 }, async () => {
    const manifest = manifestOf(out);
    const outside = path.join(out, 'outside.pdf');
    fs.writeFileSync(outside, 'not an edition');
    manifest.outputs = manifest.outputs.map((o) => (o.kind === 'pdf' ? { ...o, file: '../outside.pdf' } : o));
    fs.writeFileSync(path.join(out, SLUG, 'publication.json'), JSON.stringify(manifest));
    fs.rmSync(path.join(out, SLUG, `${SLUG}.epub`));
    await build({ input: SAMPLE, outDir: out, formats: ['web'], keepEditions: true });
    expect(manifestOf(out).outputs.map((o) => o.kind)).toEqual(['print', 'web']);
    expect(linksOf(out)).toEqual([`${SLUG}-print.pdf`]);
    expect(fs.existsSync(outside)).toBe(true);
  });

  it('leaves them out otherwise: the folder holds what the build made', { timeout: 120_000 }, async () => {
    await build({ input: SAMPLE, outDir: out, formats: ['web'] });
    for (const f of EDITIONS) expect(fs.existsSync(path.join(out, SLUG, f)), f).toBe(false);
    expect(manifestOf(out).outputs.map((o) => o.kind)).toEqual(['web']);
    expect(linksOf(out)).toEqual([]);
  });
});

describe('a build of every edition that shows its web edition first (colophon dev)', () => {
  it('puts the new web edition and preview in place beside the last editions while it lays out, then replaces them all', { timeout: 600_000 }, async () => {
    const src = path.join(tempDir(), SLUG);
    fs.cpSync(SAMPLE, src, { recursive: true });
    const out = tempDir();
    await build({ input: src, outDir: out, formats: ['pdf', 'print', 'epub', 'web'] });
    const before = Object.fromEntries(EDITIONS.map((f) => [f, fs.readFileSync(path.join(out, SLUG, f))]));
    const chapter = fs.readdirSync(src).filter((f) => f.endsWith('.md')).sort()[0];
    fs.appendFileSync(path.join(src, chapter), '\nA sentence shown before the PDFs are done.\n');

    const seen: Array<{ slug: string; html: string; same: boolean[]; kinds: string[]; preview: boolean }> = [];
    const summary = await build({
      input: src,
      outDir: out,
      formats: ['pdf', 'print', 'epub', 'web'],
      printPreview: true,
      onEarlyWeb: (slug) =>
        seen.push({
          slug,
          html: fs.readFileSync(path.join(out, SLUG, 'index.html'), 'utf8'),
          same: EDITIONS.map((f) => fs.readFileSync(path.join(out, SLUG, f)).equals(before[f])),
          kinds: manifestOf(out).outputs.map((o) => o.kind),
          preview: fs.existsSync(path.join(out, SLUG, 'preview', 'index.html')),
        }),
    });
    expect(seen.map((s) => s.slug)).toEqual([SLUG]);
    const [early] = seen;
    expect(early.html).toContain('A sentence shown before the PDFs are done.');
    // The editions of the last build, still linked, until this build's replace them.
    expect(early.same).toEqual([true, true, true]);
    expect(early.kinds).toEqual(['pdf', 'print', 'epub', 'web']);
    expect(early.preview).toBe(true);
    expect(summary.publications[0].outputs.map((o) => o.kind)).toEqual(['pdf', 'print', 'epub', 'web']);
    expect(EDITIONS.map((f) => fs.readFileSync(path.join(out, SLUG, f)).equals(before[f]))).toEqual([false, false, false]);
    expect(linksOf(out).sort()).toEqual([...EDITIONS].sort());
    expect(fs.existsSync(path.join(out, SLUG, 'preview', 'index.html'))).toBe(true);
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });
});
