/**
 * Stock pagedjs-cli is the reference for our own Paged.js driver: the same
 * print HTML laid out by both must give the same pages with the same text.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.ts';
import { findChromium } from '../../scripts/browser.ts';
import { OUR_SCRIPTS } from '../../scripts/paginate/paginate.ts';
import { ROOT, tempDir } from '../helpers/build.ts';
import { normalise, pdfPages } from '../helpers/tools.ts';

const PAGEDJS_CLI = path.join(ROOT, 'node_modules', '.bin', 'pagedjs-cli');

/** Runs pagedjs-cli with the system Chromium, its temporary files kept in a folder we remove. */
export function renderWithPagedjsCli(htmlFile: string, pdfFile: string): void {
  const tmp = tempDir('colophon-pagedjs-cli-');
  const args = [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--allow-file-access-from-files', `--user-data-dir=${path.join(tmp, 'profile')}`,
  ];
  // Our handlers (numbering, widows and orphans, table headers) go in as pagedjs-cli's additional scripts.
  const scripts = OUR_SCRIPTS.flatMap((s) => ['--additional-script', s]);
  const r = spawnSync(PAGEDJS_CLI, [htmlFile, '-o', pdfFile, ...scripts, `--browserArgs=${args.join(',')}`], {
    encoding: 'utf8',
    env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: findChromium(), TMPDIR: tmp },
    timeout: 300_000,
  });
  if (r.status !== 0 || !fs.existsSync(pdfFile)) throw new Error(`pagedjs-cli failed:\n${r.stdout}\n${r.stderr}`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

describe('our Paged.js driver against stock pagedjs-cli', () => {
  let ours: string[];
  let reference: string[];

  beforeAll(async () => {
    const out = tempDir();
    const html = tempDir();
    await build({ input: path.join(ROOT, 'content', 'colophon-guide'), outDir: out, formats: ['pdf'], htmlDir: html, singleDocument: true });
    const refPdf = path.join(out, 'reference.pdf');
    renderWithPagedjsCli(path.join(html, 'colophon-guide', 'screen', 'book.html'), refPdf);
    ours = pdfPages(path.join(out, 'colophon-guide', 'colophon-guide.pdf'));
    reference = pdfPages(refPdf);
  });

  it('gives the same number of pages', () => {
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.length).toBe(reference.length);
  });

  it('puts the same text on every page', () => {
    for (let i = 1; i < ours.length; i++) expect(normalise(ours[i]), `page ${i}`).toBe(normalise(reference[i]));
  });
});
