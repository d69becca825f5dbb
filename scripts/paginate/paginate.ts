/**
 * Lays out one HTML document with Paged.js in Chromium and prints it to PDF.
 * We drive the Paged.js engine that pagedjs-cli ships ourselves instead of
 * calling its Printer: the Printer cannot bound layout time, never closes its
 * browser, reports no page errors or failed requests, and lets pages reach
 * the network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { packageDir, toolFile } from '../util/package-dir.ts';
import { DEFAULT_GARBAGE_PAGES } from './chunks.ts';
import { closePage, openSandboxedPage, type BrowserSession, type PageReport } from '../browser.ts';
import type { FontPlan } from '../fonts/font-plan.ts';

/** The Paged.js polyfill bundle pagedjs-cli injects; we use the same engine. */
export const PAGED_SCRIPT = path.join(packageDir('pagedjs-cli'), 'dist', 'browser.js');
const inPage = (name: string) => toolFile('scripts', 'paginate', 'in-page', name);
const PAGE_MAP_SCRIPT = inPage('page-map.js');
const HANDLERS_SCRIPT = inPage('handlers.js');
const FINISH_SCRIPT = inPage('finish.js');
const SCHEDULER_SCRIPT = inPage('scheduler.js');
const REPLACE_SCRIPT = inPage('replace-document.js');
const FONT_LOADS_SCRIPT = inPage('font-loads.js');
/** Every script that shapes the layout, in the order a page loads them: part of the cache key of a paginated part. */
export const LAYOUT_SCRIPTS = [SCHEDULER_SCRIPT, PAGED_SCRIPT, FONT_LOADS_SCRIPT, FINISH_SCRIPT, HANDLERS_SCRIPT, REPLACE_SCRIPT];
/** Our scripts, in the order they are loaded after Paged.js (also for a pagedjs-cli reference render). */
export const OUR_SCRIPTS = [FINISH_SCRIPT, HANDLERS_SCRIPT];

export interface OutlineItem {
  title: string;
  /** 0-based page index. */
  page: number;
  /** Distance from the top of the page, in CSS px. */
  top: number;
  children: OutlineItem[];
}

export interface PageMap {
  pageCount: number;
  /**
   * Where each page begins: the first numbered block (data-pos) on the page and,
   * when the page continues that block from the page before, the text it starts with.
   */
  pageStarts: Array<{ pos: string; continued: boolean; text: string } | null>;
  /** Notes laid out on another page than their call (should be none). */
  notesAway: Array<{ id: string; callPage: number; notePage: number }>;
  /** Single lines of a paragraph of three or more left alone at a page's foot or head (should be none). */
  lonelyLines: Array<{ ref: string; page: number; where: 'foot' | 'head' }>;
  /** The page number printed on (or counted for) each page; '' for uncounted pages. */
  folios: string[];
  /** Page size in CSS px, as laid out (bleed included). */
  width: number;
  height: number;
  /** Bleed in CSS px (0 for the screen edition). */
  bleed: number;
  /** Chapter id → 1-based page where it starts. */
  chapterStarts: Record<string, number>;
  outline: OutlineItem[];
}

export interface PaginateResult {
  pdf: Uint8Array;
  map: PageMap;
}

export class PaginationError extends Error {
  constructor(
    message: string,
    readonly report?: PageReport,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, options);
    this.name = 'PaginationError';
    this.hint = options?.hint;
  }
  /** What the user can do about it; without one the CLI shows the catalogue's hint. */
  readonly hint?: string;
}

export const OFFLINE_HINT =
  'Builds are offline: download the file into the publication folder (a font into templates/fonts/) and refer to it by a relative path.';
export const CRASH_HINT = 'Chromium may have run out of memory: close other programs or split the publication, and run with --debug for details.';

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaginationError(`${what} took longer than ${duration(ms)}.`)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PageSession {
  page: Page;
  report: PageReport;
  close(): Promise<void>;
}

export interface PaginateOptions {
  htmlFile: string;
  allowedRoots: string[];
  timeoutMs: number;
  /** What to call the document in messages, e.g. "content/book/book.yaml (print PDF)". */
  label: string;
  /**
   * A sandboxed page to lay out in instead of a new one: opening a page costs
   * about a quarter of a second, which parts laid out one after another in the
   * same worker need not pay each time. The caller keeps it open and closes it;
   * it is closed here only when it failed (check `page.isClosed()`).
   */
  tab?: SandboxedPage;
  /** With `tab`: collect replaced documents once this many of their pages wait (default DEFAULT_GARBAGE_PAGES). */
  garbagePages?: number;
  /** The faces to load before the layout (fonts/font-plan.ts); none: every face of the document, as Paged.js does. */
  fontPlan?: FontPlan;
}

export interface SandboxedPage {
  page: Page;
  report: PageReport;
  /**
   * Set once Paged.js and our scripts run in the page: the folder of its
   * document. The next part from that folder replaces the document instead
   * of navigating (in-page/replace-document.js).
   */
  pagedIn?: string;
  /** Pages of the documents replaced in this page since Chromium last collected them. */
  garbagePages?: number;
  /** Collections made in this page. */
  collected?: number;
  /** Chromium lays it out for print already: the emulated media stays across documents and navigations. */
  printMedia?: boolean;
}

/** Print media in `tab`, asked of Chromium once per page. */
async function emulatePrint(tab: SandboxedPage): Promise<void> {
  if (tab.printMedia) return;
  await tab.page.emulateMediaType('print');
  tab.printMedia = true;
}

/** One document through Paged.js, numbered, with its page map, printed: the reference path. */
export async function paginate(session: BrowserSession, options: PaginateOptions): Promise<PaginateResult> {
  const laid = await layOut(session, options);
  try {
    const map = await readPageMap(laid.page);
    const pdf = await print(laid, options);
    return { pdf, map };
  } finally {
    await laid.close();
  }
}

/** Chromium's renderer died under the page (out of memory, a crash). */
export function isCrash(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Page crashed|Target closed|Target crashed|Session closed|detached Frame/i.test(message);
}

/** Opens `htmlFile` in a sandboxed page and lets Paged.js lay it out; the page stays open. A crashed renderer gets one more try. */
export async function layOut(session: BrowserSession, options: PaginateOptions): Promise<PageSession> {
  try {
    return await layOutOnce(session, options);
  } catch (error) {
    if (!isCrash(error)) throw error;
  }
  try {
    return await layOutOnce(session, options);
  } catch (error) {
    if (!isCrash(error)) throw error;
    throw new PaginationError(`Chromium crashed twice while laying out ${options.label}.`, undefined, { cause: error, hint: CRASH_HINT });
  }
}

/** The caller's page (`options.tab`, its report emptied) while it is open, else a new one. */
async function takeTab(session: BrowserSession, options: PaginateOptions): Promise<{ tab: SandboxedPage; reused: boolean }> {
  const reused = options.tab && !options.tab.page.isClosed() ? options.tab : undefined;
  if (!reused) return { tab: await openSandboxedPage(session, options.allowedRoots), reused: false };
  for (const list of [reused.report.blocked, reused.report.failed, reused.report.errors]) list.length = 0;
  return { tab: reused, reused: true };
}

async function layOutOnce(session: BrowserSession, options: PaginateOptions): Promise<PageSession> {
  const { tab, reused } = await takeTab(session, options);
  const { page, report } = tab;
  // A crashed renderer only emits an event; pending evaluations would wait for the time limit.
  let onError: (e: Error) => void = () => undefined;
  const crashed = new Promise<never>((_, reject) => {
    onError = (e: Error) => reject(new Error(`Page crashed: ${e.message}`));
    page.once('error', onError);
  });
  crashed.catch(() => undefined);
  const close = () => closePage(page);
  try {
    page.setDefaultTimeout(options.timeoutMs);
    await emulatePrint(tab);
    await withTimeout(Promise.race([runPaged(tab, options.htmlFile, options.garbagePages ?? DEFAULT_GARBAGE_PAGES, options.fontPlan), crashed]), options.timeoutMs, `Laying out ${options.label}`);
    assertClean(report, options.label);
    page.off('error', onError);
    return { page, report, close: reused ? async () => undefined : close };
  } catch (error) {
    await close();
    if (error instanceof PaginationError || isCrash(error)) throw error;
    // Puppeteer's own limit (page.setDefaultTimeout) can strike first, in goto or an evaluation.
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new PaginationError(`Laying out ${options.label} took longer than ${duration(options.timeoutMs)}.`, report, { cause: error });
    }
    // Paged.js rejects with whatever failed (a ProgressEvent when a stylesheet was refused): the report says more.
    assertClean(report, options.label);
    const message = error instanceof Error ? error.message : String(error);
    throw new PaginationError(`Laying out ${options.label} failed: ${message}`, report, { cause: error });
  }
}

/** Opens an already paginated document (joined parts) without running Paged.js again; in `options.tab` when given. */
export async function openPaginated(session: BrowserSession, options: PaginateOptions): Promise<PageSession> {
  const { tab, reused } = await takeTab(session, options);
  const { page, report } = tab;
  // A navigation: the page runs Paged.js no more.
  tab.pagedIn = undefined;
  const close = () => closePage(page);
  try {
    page.setDefaultTimeout(options.timeoutMs);
    await emulatePrint(tab);
    await page.goto(pathToFileURL(options.htmlFile).href, { waitUntil: 'load', timeout: options.timeoutMs });
    await page.evaluate('document.fonts.ready.then(() => true)');
    assertClean(report, options.label);
    return { page, report, close: reused ? async () => undefined : close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Numbers a part or chunk of a book (paginate/in-page/finish.js: page numbers,
 * contents and cross-reference numbers) and reads its page map. A book laid
 * out as one document is numbered by the Finish handler instead.
 */
export async function finish(page: Page, options?: { offset: number; folios: string[]; targets: Record<string, string> }): Promise<PageMap> {
  // The fonts of any character the numbers brought in are loaded, and the
  // page map read, in the same round trip: print() does not wait for the
  // fonts again. A page that laid its document out has the scripts already
  // (loadScripts); one that opened joined parts gets them first.
  const call = `Promise.resolve(window.colophonFinish(${JSON.stringify(options ?? null)})).then(() => document.fonts.ready).then(() => window.colophonPageMap())`;
  return (await withScripts(page, [FINISH_SCRIPT, PAGE_MAP_SCRIPT], ['colophonFinish', 'colophonPageMap'], call)) as PageMap;
}

/**
 * Evaluates `call` once the page defines `names`, which `scripts` define:
 * one round trip where they are there already, as in a page that laid its
 * document out, and two more where they are not.
 */
async function withScripts(page: Page, scripts: string[], names: string[], call: string): Promise<unknown> {
  const present = names.map((n) => `typeof window.${n} === 'function'`).join(' && ');
  const NOT_YET = 'colophon: scripts not loaded';
  const result = await page.evaluate(`(${present}) ? ${call} : ${JSON.stringify(NOT_YET)}`);
  if (result !== NOT_YET) return result;
  // Sent at once: the page runs them in order.
  await Promise.all(scripts.map((file) => page.evaluate(scriptSource(file))));
  return page.evaluate(call);
}

export interface SerializedPart {
  rules: string[];
  pages: string[];
  htmlStyle: string;
  lang: string;
  title: string;
  bodyClass: string;
  pagesStyle: string;
}

export async function serialize(page: Page): Promise<SerializedPart> {
  return page.evaluate('window.colophonSerialize()') as Promise<SerializedPart>;
}

export async function print(laid: PageSession, options: PaginateOptions): Promise<Uint8Array> {
  const pdf = await withTimeout(
    // Layout and finish() waited for the fonts: no round trip to wait again, so the print command is sent at once.
    laid.page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true, outline: false, waitForFonts: false, timeout: options.timeoutMs }),
    options.timeoutMs,
    `Printing ${options.label}`,
  );
  assertClean(laid.report, options.label);
  return pdf;
}

/** The document a worker's page is prepared on: replaced by the first part it lays out. */
const START_DOCUMENT = '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title></title>\n</head>\n<body></body>\n</html>\n';

/**
 * A sandboxed page for the documents of `dir`, with Paged.js and our scripts
 * already running in it, so that the first part it is given replaces a
 * document (runPaged) as every later part does. Made while Node parses, this
 * takes opening the page, a navigation and the Paged.js bundle (about half a
 * second a worker here) off the time the layout waits for.
 */
export async function preparePage(session: BrowserSession, dir: string): Promise<SandboxedPage> {
  const tab: SandboxedPage = await openSandboxedPage(session, [dir]);
  try {
    const file = path.join(dir, '.start.html');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, START_DOCUMENT);
    await emulatePrint(tab);
    await tab.page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await loadScripts(tab.page);
    assertClean(tab.report, `a layout page for ${dir}`);
    tab.pagedIn = dir;
    return tab;
  } catch (error) {
    await closePage(tab.page);
    throw error;
  }
}

/**
 * Page functions are passed as strings: the TypeScript loader wraps functions
 * in helpers that do not exist inside the browser. Our scripts are evaluated:
 * the page's policy refuses <script> elements, ours as much as the content's.
 */
async function loadScripts(page: Page): Promise<void> {
  // Sent at once: the page runs them in order, and a page made ready while
  // Node is busy (worker-pages.ts) waits for one reply, not for six.
  // The page map's script too, which finish() then finds there.
  const sources = ['window.PagedConfig = { auto: false }', ...[...LAYOUT_SCRIPTS, PAGE_MAP_SCRIPT].map(scriptSource)];
  await Promise.all(sources.map((source) => page.evaluate(source)));
}

async function runPaged(tab: SandboxedPage, htmlFile: string, garbagePages: number, fontPlan: FontPlan | undefined): Promise<void> {
  const { page } = tab;
  // Given with the call that starts the layout: no round trip of its own.
  const plan = `window.colophonFontPlan = ${JSON.stringify(fontPlan ?? null)};`;
  const folder = path.dirname(htmlFile);
  if (tab.pagedIn === folder) {
    // Paged.js already runs here, on a document of the same folder: a new
    // Previewer lays the part out in place of that document, in the same
    // round trip, unless the pages replaced bring those waiting to be
    // collected to `garbagePages`: they are collected first. The plan comes
    // first: the replaced document's faces start loading as soon as they are in.
    const room = garbagePages - (tab.garbagePages ?? 0);
    const html = JSON.stringify(fs.readFileSync(htmlFile, 'utf8'));
    const { replaced, laidOut } = (await page.evaluate(
      `${plan} window.colophonReplaceDocument(${html}).then((replaced) => (replaced < ${room} ? window.colophonPreviewReplaced().then(() => ({ replaced, laidOut: true })) : { replaced, laidOut: false }))`,
    )) as { replaced: number; laidOut: boolean };
    tab.garbagePages = (tab.garbagePages ?? 0) + replaced;
    if (laidOut) return;
    const cdp = await page.createCDPSession();
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.detach();
    tab.garbagePages = 0;
    tab.collected = (tab.collected ?? 0) + 1;
    await page.evaluate('window.colophonPreviewReplaced().then(() => true)');
    return;
  }
  tab.pagedIn = undefined;
  await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
  await loadScripts(page);
  await page.evaluate(`${plan} document.fonts.ready.then(() => window.PagedPolyfill.preview()).then(() => true)`);
  tab.pagedIn = folder;
}

function assertClean(report: PageReport, label: string): void {
  const problems = [
    ...report.errors.map((e) => `script error: ${e}`),
    ...report.failed.map((u) => `could not load ${u}`),
    ...[...new Set(report.blocked)].map((u) => `blocked a request to ${u} (builds are offline)`),
  ];
  if (problems.length) {
    const hint = report.blocked.length ? OFFLINE_HINT : undefined;
    throw new PaginationError(`Paginating ${label} failed:\n  ${problems.join('\n  ')}`, report, { hint });
  }
}

const sources = new Map<string, string>();
/** A script file as source to evaluate (to `undefined`); the sourceURL names it in stack traces. */
function scriptSource(file: string): string {
  let source = sources.get(file);
  if (!source) {
    source = `${fs.readFileSync(file, 'utf8')}\n;undefined;\n//# sourceURL=${pathToFileURL(file).href}\n`;
    sources.set(file, source);
  }
  return source;
}

export async function readPageMap(page: Page): Promise<PageMap> {
  return (await withScripts(page, [PAGE_MAP_SCRIPT], ['colophonPageMap'], 'window.colophonPageMap()')) as PageMap;
}
