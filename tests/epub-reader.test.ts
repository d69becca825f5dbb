/**
 * The EPUB in a real reading system: epub.js in headless Chromium, served
 * from a loopback-only HTTP server. A chapter must render with the embedded
 * fonts, and a footnote call must lead to its note.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../scripts/browser.ts';
import { ROOT, buildInto, tempDir } from './helpers/build.ts';


/** Temporary folders of this file, removed when its tests end (vitest workers may not run exit handlers). */
const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>reader</title>
<script src="/jszip.min.js"></script><script src="/epub.min.js"></script></head>
<body><div id="viewer" style="width:800px;height:1000px"></div>
<script>
window.openBook = async (href) => {
  const book = ePub('/book.epub');
  await book.ready;
  window.rendition = book.renderTo('viewer', { width: 800, height: 1000, flow: 'scrolled-doc' });
  await window.rendition.display(href);
  return book.spine.length;
};
window.chapterDocument = () => window.rendition.getContents()[0].document;
</script></body></html>`;

describe('the EPUB in epub.js', () => {
  let server: http.Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const summary = await buildInto(SAMPLE, { outDir: tempDir('colophon-epubtest-'), formats: ['epub'] });
    const epub = path.join(summary.outDir, 'colophon-guide', 'colophon-guide.epub');
    const files: Record<string, { file: string; type: string }> = {
      '/': { file: '', type: 'text/html' },
      '/book.epub': { file: epub, type: 'application/epub+zip' },
      '/epub.min.js': { file: path.join(ROOT, 'node_modules', 'epubjs', 'dist', 'epub.min.js'), type: 'text/javascript' },
      '/jszip.min.js': { file: path.join(ROOT, 'node_modules', 'jszip', 'dist', 'jszip.min.js'), type: 'text/javascript' },
    };
    server = http.createServer((req, res) => {
      const entry = files[req.url ?? ''];
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': entry.type });
      res.end(entry.file ? fs.readFileSync(entry.file) : PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tmp = tempDir('colophon-reader-');
    // This test serves the book from a loopback server, so host resolution stays on here.
    const args = CHROMIUM_ARGS.filter((a) => !a.startsWith('--headless') && !a.startsWith('--host-resolver-rules'));
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    browser = await chromium.launch({ executablePath: findChromium(), args, env: { ...process.env, TMPDIR: tmp } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('renders a chapter with the embedded fonts', async () => {
    const page = await browser.newPage();
    // Only the loopback server: nothing may leave the machine.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      return url.startsWith(base) || url.startsWith('blob:') || url.startsWith('data:') ? route.continue() : route.abort();
    });
    await page.goto(base + '/');
    expect(await page.evaluate(() => (window as unknown as { openBook(h: string): Promise<number> }).openBook('ch-02.xhtml'))).toBeGreaterThan(6);
    const fonts = await page.evaluate(async () => {
      const doc = (window as unknown as { chapterDocument(): Document }).chapterDocument();
      await doc.fonts.ready;
      const p = doc.querySelector('section.chapter p')!;
      const h2 = doc.querySelector('section.chapter h2')!;
      // Ask for the faces the text needs and see which ones are loaded from the EPUB.
      await Promise.all([doc.fonts.load(`16px "Noto Serif"`, p.textContent!), doc.fonts.load(`bold 16px "Noto Sans"`, h2.textContent!)]);
      return {
        paragraph: getComputedStyle(p).fontFamily,
        heading: getComputedStyle(h2).fontFamily,
        loaded: [...doc.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family.replace(/["']/g, '')} ${f.weight} ${f.style}`),
        serif: doc.fonts.check(`16px "Noto Serif"`, p.textContent!),
        text: p.textContent!.length,
      };
    });
    expect(fonts.text).toBeGreaterThan(20);
    expect(fonts.paragraph).toMatch(/^["']?Noto Serif/);
    expect(fonts.heading).toMatch(/^["']?Noto Sans/);
    expect(fonts.loaded).toEqual(expect.arrayContaining(['Noto Serif 400 normal', 'Noto Sans 700 normal']));
    expect(fonts.serif).toBe(true);
    await page.close();
  }, 120_000);

  it('follows a footnote call to its note', async () => {
    const page = await browser.newPage();
    await page.route('**/*', (route) => {
      const url = route.request().url();
      return url.startsWith(base) || url.startsWith('blob:') || url.startsWith('data:') ? route.continue() : route.abort();
    });
    await page.goto(base + '/');
    await page.evaluate(() => (window as unknown as { openBook(h: string): Promise<number> }).openBook('ch-01.xhtml'));
    const note = await page.evaluate(async () => {
      const w = window as unknown as { chapterDocument(): Document; rendition: { display(h: string): Promise<void>; currentLocation(): { start: { href: string } } } };
      const doc = w.chapterDocument();
      const call = doc.querySelector('a[role="doc-noteref"]')!;
      const href = call.getAttribute('href')!;
      const target = doc.getElementById(href.slice(1));
      // The reading system's own navigation to the note's address.
      await w.rendition.display(`ch-01.xhtml${href}`);
      return {
        // epub.js loads chapters as HTML or XML depending on the browser: read epub:type either way.
        type: call.getAttributeNS('http://www.idpf.org/2007/ops', 'type') ?? call.getAttribute('epub:type'),
        tag: target?.localName,
        role: target?.getAttribute('role'),
        noteType: target?.getAttributeNS('http://www.idpf.org/2007/ops', 'type') ?? target?.getAttribute('epub:type'),
        text: target?.textContent?.trim().slice(0, 40),
        at: w.rendition.currentLocation().start.href,
      };
    });
    expect(note).toMatchObject({ type: 'noteref', tag: 'aside', role: 'doc-footnote', noteType: 'footnote', at: 'ch-01.xhtml' });
    expect(note.text).toMatch(/^1\. Writing is atomic/);
    await page.close();
  }, 120_000);
});
