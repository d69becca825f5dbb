/**
 * The web outputs in a real browser: the catalog and the web editions of the
 * sample and the fixtures, built into one folder and served over HTTP the way
 * a reader meets them. Playwright drives the system Chromium; axe-core checks
 * accessibility and html-validate checks the markup.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { HtmlValidate } from 'html-validate';
import { findChromium } from '../scripts/browser.ts';
import { startDev } from '../scripts/commands/dev.ts';
import { FIXTURES, ROOT, buildInto, tempDir } from './helpers/build.ts';
import { normalise, pdftext } from './helpers/tools.ts';

const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');
const MULTILINGUAL = path.join(FIXTURES, 'multilingual');
const RUSSIAN = path.join(ROOT, 'tests', 'fixtures', 'languages', 'russian-book');
const AXE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.epub': 'application/epub+zip',
  '.json': 'application/json',
};

/** A static file server for the output folder, nothing more. */
function serve(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = path.join(root, pathname);
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) return void res.writeHead(404).end('not found');
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

let out: string;
let site: { url: string; close(): Promise<void> };
let context: BrowserContext;
let noScript: BrowserContext;
let chromiumRoot: string;
const slugs: string[] = [];

beforeAll(async () => {
  out = tempDir('colophon-web-');
  for (const input of [SAMPLE, MULTILINGUAL]) {
    const summary = await buildInto(input, { outDir: out });
    slugs.push(...summary.publications.map((p) => p.slug));
  }
  // A publication in another language, with only the cheap editions.
  const ru = await buildInto(RUSSIAN, { outDir: out, formats: ['epub', 'web'] });
  slugs.push(...ru.publications.map((p) => p.slug));
  site = await serve(out);

  // Chromium's profile and its own temporary files stay in one folder that afterAll removes.
  chromiumRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-web-chromium-'));
  const tmp = path.join(chromiumRoot, 'tmp');
  fs.mkdirSync(tmp);
  const args = ['--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check'];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const launch = (dir: string, javaScriptEnabled: boolean) =>
    chromium.launchPersistentContext(path.join(chromiumRoot, dir), {
      executablePath: findChromium(),
      headless: true,
      args,
      env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
      javaScriptEnabled,
    });
  context = await launch('profile', true);
  noScript = await launch('profile-noscript', false);
});

afterAll(async () => {
  await context?.close();
  await noScript?.close();
  await site?.close();
  if (chromiumRoot) fs.rmSync(chromiumRoot, { recursive: true, force: true });
  // The helper removes its folders at exit, which a test worker may not reach.
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
}

/** Opens a page and records console errors, page errors and failed requests. */
async function open(url: string, ctx = context): Promise<Opened> {
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status(), url).toBe(200);
  await page.evaluate(() => document.fonts.ready);
  return { page, errors };
}

/**
 * Closes a page, waiting a few seconds at most. Chromium acknowledges a close
 * that meets a navigation's commit and then drops it (crbug.com/536385539),
 * and Playwright's page.close() waits for the page to go: forever. A page left
 * open goes with its browser in afterAll.
 */
async function closeSoon(page: Page): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([page.close().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
}

/** Whether the top of an element is on screen (smooth scrolling may take a moment). */
function inView(locator: ReturnType<Page['locator']>): Promise<boolean> {
  return locator.evaluate((el) => {
    const top = el.getBoundingClientRect().top;
    return top >= 0 && top < innerHeight;
  });
}

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] }[];
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as AxeResult;
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`));
}

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Style, not validity: the serialiser leaves ">" raw in text and the templates leave blank lines.
    'no-raw-characters': 'off',
    'no-trailing-whitespace': 'off',
  },
});

async function validate(file: string): Promise<string[]> {
  const report = await validator.validateFile(file);
  return report.results.flatMap((r) => r.messages.map((m) => `${path.relative(out, file)}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
}

describe('the catalog', () => {
  it('lists every publication built, each in its own language', async () => {
    expect(slugs.sort()).toEqual(['colophon-guide', 'multilingual', 'russian-book'].sort());
    const { page, errors } = await open(site.url);
    const entries = page.locator('.publication');
    await expect.poll(() => entries.count()).toBe(slugs.length);
    for (const slug of slugs) {
      const entry = page.locator(`.publication[data-slug="${slug}"]`);
      expect(await entry.count(), slug).toBe(1);
      const manifest = JSON.parse(fs.readFileSync(path.join(out, slug, 'publication.json'), 'utf8')) as {
        book: { title: string; language: string; dir: string; authorLine: string };
      };
      expect(await entry.getAttribute('lang')).toBe(manifest.book.language);
      expect(await entry.getAttribute('dir')).toBe(manifest.book.dir);
      expect(await entry.locator('h2').innerText()).toBe(manifest.book.title);
      expect(await entry.locator('.authors').innerText()).toContain(manifest.book.authorLine);
      // The cover thumbnail is there and loaded.
      const loaded = await entry.locator('img.thumb').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);
      expect(loaded, slug).toBe(true);
    }
    // Interface strings follow the publication's language.
    const ru = page.locator('.publication[data-slug="russian-book"]');
    expect(await ru.locator('.read-online').innerText()).toBe('Читать онлайн');
    expect(await ru.locator('.download-epub').innerText()).toBe('EPUB для электронных книг');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('every download link returns its file', async () => {
    const { page } = await open(site.url);
    const links = await page.locator('a.download').evaluateAll((as) =>
      as.map((a) => ({ href: (a as HTMLAnchorElement).href, type: a.getAttribute('type'), meta: a.parentElement!.textContent! })),
    );
    // Screen PDF, print PDF and EPUB for both full builds, the EPUB for the Russian book.
    expect(links).toHaveLength(7);
    for (const link of links) {
      const response = await fetch(link.href);
      expect(response.status, link.href).toBe(200);
      expect(response.headers.get('content-type'), link.href).toBe(link.type);
      const body = Buffer.from(await response.arrayBuffer());
      const file = path.join(out, decodeURIComponent(new URL(link.href).pathname));
      expect(body.length, link.href).toBe(fs.statSync(file).size);
      expect(body.subarray(0, 4).toString('latin1'), link.href).toBe(link.type === 'application/pdf' ? '%PDF' : 'PK\x03\x04');
      if (link.type === 'application/pdf') expect(link.meta, link.href).toMatch(/\d+ (pages|с\.)/);
    }
    await page.close();
  });

  it('has no axe-core violations and valid HTML', async () => {
    const { page, errors } = await open(site.url);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
    expect(await validate(path.join(out, 'index.html'))).toEqual([]);
  });
});

describe('the web editions', () => {
  it('render every chapter, with navigable contents', async () => {
    for (const slug of slugs) {
      const { page, errors } = await open(`${site.url}${slug}/`);
      const chapters = page.locator('main section.chapter');
      const n = await chapters.count();
      expect(n, slug).toBeGreaterThan(0);
      const toc = page.locator('nav.web-contents a');
      if (await toc.count()) {
        expect(await toc.count(), slug).toBe(n);
        const last = toc.last();
        const target = (await last.getAttribute('href'))!;
        await last.click();
        await expect.poll(() => page.evaluate(() => location.hash)).toBe(target);
        expect(await page.locator(target).isVisible()).toBe(true);
      }
      expect(errors, slug).toEqual([]);
      await page.close();
    }
  });

  it('footnotes link to their notes and back', async () => {
    const { page, errors } = await open(`${site.url}colophon-guide/`);
    const refs = page.locator('a[data-footnote-ref]');
    expect(await refs.count()).toBeGreaterThan(3);
    const ref = refs.nth(2);
    const refId = (await ref.getAttribute('id'))!;
    const noteHash = (await ref.getAttribute('href'))!;
    await ref.click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(noteHash);
    const note = page.locator(noteHash);
    expect(await note.isVisible()).toBe(true);
    expect((await note.innerText()).length).toBeGreaterThan(20);
    await expect.poll(() => inView(note)).toBe(true);
    await note.locator('a[data-footnote-backref]').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#${refId}`);
    await expect.poll(() => inView(ref)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('carry the same download links as the catalog', async () => {
    const { page } = await open(site.url);
    for (const slug of slugs) {
      const inCatalog = await page
        .locator(`.publication[data-slug="${slug}"] a.download`)
        .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      const edition = await open(`${site.url}${slug}/`);
      const own = await edition.page.locator('a.download').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      expect(own, slug).toEqual(inCatalog);
      await edition.page.close();
    }
    await page.close();
  });

  it('have the language and direction of each chapter', async () => {
    const { page } = await open(`${site.url}multilingual/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    const langs = await page.locator('main section.chapter').evaluateAll((s) => s.map((el) => el.getAttribute('lang')));
    expect(langs).toEqual(expect.arrayContaining(['ru', 'kk']));
    // The notes heading and back links speak the chapter's language.
    const ru = page.locator('main section.chapter[lang="ru"]');
    if (await ru.locator('.footnotes').count()) expect(await ru.locator('.footnotes-title').innerText()).toBe('Примечания');
    await page.close();
  });

  it('are readable on a phone: nothing wider than the screen', async () => {
    for (const slug of slugs) {
      const page = await context.newPage();
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(`${site.url}${slug}/`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, slug).toBeLessThanOrEqual(0);
      const fontSize = await page.locator('main p').first().evaluate((p) => parseFloat(getComputedStyle(p).fontSize));
      expect(fontSize, slug).toBeGreaterThanOrEqual(16);
      await page.close();
    }
  });

  it('work without JavaScript', async () => {
    for (const url of [site.url, `${site.url}colophon-guide/`]) {
      const { page, errors } = await open(url, noScript);
      expect(await page.locator('main').isVisible()).toBe(true);
      expect((await page.locator('main').innerText()).length).toBeGreaterThan(200);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('have no axe-core violations and valid HTML', async () => {
    for (const slug of slugs) {
      const { page, errors } = await open(`${site.url}${slug}/`);
      expect(await axeViolations(page), slug).toEqual([]);
      expect(errors, slug).toEqual([]);
      await page.close();
      expect(await validate(path.join(out, slug, 'index.html')), slug).toEqual([]);
    }
  });
});

describe('colophon dev', () => {
  it('serves a paginated print preview and rebuilds it, the web edition and the PDF on a change', { timeout: 300_000 }, async () => {
    const pub = path.join(tempDir(), 'guide');
    fs.cpSync(SAMPLE, pub, { recursive: true });
    const devOut = tempDir();
    // What the session says, with the time since it started: a stage that stalls fails with it.
    const started = Date.now();
    let said = '';
    const say = (s: string) => void (said += `[${((Date.now() - started) / 1000).toFixed(1)} s] ${s}`);
    const stage = <T>(what: string, work: Promise<T>, ms = 60_000): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s. colophon dev said:\n${said}`)), ms);
      });
      return Promise.race([work, late]).finally(() => clearTimeout(timer));
    };
    const session = await stage('the first web build', startDev({ input: pub, outDir: devOut, port: 0, io: { out: say, err: say }, debounceMs: 50, watch: [] }));
    let passed = false;
    try {
      const editions = session.nextEditions();
      expect(session.publications.map((p) => p.slug)).toEqual(['guide']);
      const { preview } = session.publications[0];

      // The first build of every edition, with the session's browser.
      expect(await stage('the first build of every edition', editions)).toBe(true);
      const pdf = path.join(devOut, 'guide', 'guide.pdf');
      expect(fs.existsSync(pdf)).toBe(true);

      // Paged.js lays the book out in the reader's browser, with our page
      // numbers and contents numbers. Opened once that build is done: its end
      // reloads the open pages, and a reload would cut the checks below short.
      const { page, errors } = await stage('opening the preview', open(preview));
      await page.waitForFunction(() => document.documentElement.dataset.previewPages, undefined, { timeout: 60_000 });
      const pages = Number(await page.evaluate(() => document.documentElement.dataset.previewPages));
      expect(pages).toBeGreaterThan(10);
      expect(await page.locator('.pagedjs_page').count()).toBe(pages);
      const contentsNumbers = await page.locator('a.toc-link').evaluateAll((links) => links.map((a) => (a as HTMLElement).dataset.page));
      expect(contentsNumbers.length).toBeGreaterThan(3);
      for (const n of contentsNumbers) expect(n).toMatch(/^\d+$/);
      // A reload (after a build) cuts the page's event stream; that is no error.
      expect(errors.filter((e) => !e.includes('/__colophon/events'))).toEqual([]);

      // A change: the open preview reloads and shows it; the PDF is rebuilt with it.
      const web = session.nextBuild();
      const nextEditions = session.nextEditions();
      const chapter = path.join(pub, '04-paper-and-screen.md');
      fs.appendFileSync(chapter, '\nA sentence written during a preview.\n');
      expect(await stage('the web build after the change', web)).toBe(true);
      // The print text is hyphenated with soft hyphens.
      await page.waitForFunction(() => (document.body?.innerText ?? '').replace(/\u00ad/g, '').includes('A sentence written during a preview.'), undefined, { timeout: 60_000 });
      expect(await stage('the build of every edition after the change', nextEditions)).toBe(true);
      expect(normalise(pdftext(pdf))).toContain('A sentence written during a preview.');
      // That build's end reloads the page: its close may meet the reload's commit.
      await closeSoon(page);
      passed = true;
    } finally {
      // After a failure, the browser goes first, so a build still running ends at once and the failure is what is reported.
      const closing = stage('closing the session', session.close({ now: !passed }));
      await (passed ? closing : closing.catch(() => undefined));
    }
  });
});
