/**
 * colophon dev's quick web build keeps the PDFs and EPUB the last full build
 * made, with their download links, until the next full build replaces them.
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
