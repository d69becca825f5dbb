/**
 * Parallel, incremental pagination. Paged.js lays a whole book out in one
 * browser page, and its cost per page grows with the length of the document.
 * Chapters of a book open on a new (right-hand) page, so each can be laid out
 * on its own: the front matter and every chapter are paginated in their own
 * browser pages, as many at once as there are cores, each result is cached by
 * the hash of everything that shapes it, and the laid-out pages are joined
 * into one document that is numbered (finish.js) and printed once, so fonts
 * are embedded once. `paginate()` on the whole document stays the reference.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { openSandboxedPage, type BrowserSession } from '../browser.ts';
import {
  LAYOUT_SCRIPTS,
  PaginationError,
  finish,
  layOut,
  openPaginated,
  print,
  readPageMap,
  serialize,
  type PaginateResult,
  type SandboxedPage,
  type SerializedPart,
} from './paginate.ts';

export interface Part {
  /** "front" or a chapter id. */
  id: string;
  htmlFile: string;
  /** For messages: "chapter 3 (03-river.md)". */
  label: string;
}

export interface PartsOptions {
  /** Folder that holds the parts' HTML and their shared assets. */
  dir: string;
  timeoutMs: number;
  /** Where laid-out parts are kept between builds; none: no cache. */
  cacheDir?: string;
  concurrency?: number;
  /** Say how far the work has come. */
  progress?: (done: number, total: number, part: Part, cached: boolean) => void;
}

export interface PartsResult extends PaginateResult {
  /** Parts taken from the cache rather than laid out. */
  cached: number;
}

/** Everything that shapes a part's layout, as a hash: its HTML, the stylesheets and fonts it loads, our scripts. */
function cacheKey(part: Part, shared: string): string {
  return createHash('sha256').update(shared).update(fs.readFileSync(part.htmlFile)).digest('hex');
}

function sharedKey(dir: string, browserVersion: string): string {
  const h = createHash('sha256').update(browserVersion);
  for (const script of LAYOUT_SCRIPTS) h.update(fs.readFileSync(script));
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        h.update(path.relative(dir, p));
        h.update(fs.readFileSync(p));
      }
    }
  };
  walk(path.join(dir, 'assets'));
  return h.digest('hex');
}

// Paged.js makes stylesheet URLs absolute; cached parts store them relative to
// a placeholder so they stay valid when the next build works in another folder.
const DIR_TOKEN = '\u0000COLOPHON_DIR\u0000';

function readCache(file: string, dir: string): SerializedPart | undefined {
  try {
    const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
    return JSON.parse(text.split(JSON.stringify(DIR_TOKEN).slice(1, -1)).join(dirUrl(dir))) as SerializedPart;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, dir: string, part: SerializedPart): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = JSON.stringify(part).split(dirUrl(dir)).join(JSON.stringify(DIR_TOKEN).slice(1, -1));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, zlib.gzipSync(text, { level: 1 }));
  fs.renameSync(tmp, file);
}

function readPrinted(file: string): PaginateResult | undefined {
  try {
    const map = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as PaginateResult['map'];
    const pdf = new Uint8Array(fs.readFileSync(`${file}.pdf`));
    const now = new Date();
    fs.utimesSync(`${file}.pdf`, now, now);
    return { pdf, map };
  } catch {
    return undefined;
  }
}

function writePrinted(file: string, result: PaginateResult): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const [ext, data] of [['.json', JSON.stringify(result.map)], ['.pdf', result.pdf]] as const) {
    fs.writeFileSync(`${file}${ext}.${process.pid}.tmp`, data);
    fs.renameSync(`${file}${ext}.${process.pid}.tmp`, `${file}${ext}`);
  }
}

function dirUrl(dir: string): string {
  return new URL(`file://${path.resolve(dir)}/`).href.replace(/\/$/, '');
}

async function layOutPart(session: BrowserSession, part: Part, options: PartsOptions, tab: SandboxedPage): Promise<SerializedPart> {
  const attempt = async () => {
    const laid = await layOut(session, { htmlFile: part.htmlFile, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label: part.label, tab });
    try {
      return await serialize(laid.page);
    } finally {
      await laid.close();
    }
  };
  try {
    return await attempt();
  } catch (error) {
    // A renderer that crashed gets one more try; a timeout or a content problem does not.
    if (/Target closed|crash|detached|Session closed/i.test((error as Error).message)) return attempt();
    throw error;
  }
}

/** Lays out every part (in parallel, from the cache where possible), joins them and prints once. */
export async function paginateParts(session: BrowserSession, parts: Part[], options: PartsOptions): Promise<PartsResult> {
  const shared = options.cacheDir ? sharedKey(options.dir, await session.browser.version()) : '';
  const results: SerializedPart[] = new Array(parts.length);
  let next = 0;
  let done = 0;
  let cached = 0;
  // Each worker keeps one page (its own renderer process) and navigates it from
  // part to part. A browser context per worker was measured slower: every
  // context starts a renderer of its own, about a second and a half here.
  const worker = async () => {
    let tab: SandboxedPage | undefined;
    try {
      while (next < parts.length) {
        const i = next++;
        const part = parts[i];
        const file = options.cacheDir ? path.join(options.cacheDir, `${cacheKey(part, shared)}.json.gz`) : undefined;
        const hit = file ? readCache(file, options.dir) : undefined;
        if (hit) {
          results[i] = hit;
          cached++;
          const now = new Date();
          fs.utimesSync(file!, now, now);
        } else {
          // One page per worker, navigated from part to part; a new one after a failure closed it.
          if (!tab || tab.page.isClosed()) tab = await openSandboxedPage(session, [options.dir]);
          results[i] = await layOutPart(session, part, options, tab);
          if (file) writeCache(file, options.dir, results[i]);
        }
        options.progress?.(++done, parts.length, part, Boolean(hit));
      }
    } finally {
      await tab?.page.close().catch(() => undefined);
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? os.availableParallelism(), parts.length));
  await Promise.all(Array.from({ length: concurrency }, worker));

  const joined = path.join(options.dir, 'joined.html');
  const html = joinParts(results);
  fs.writeFileSync(joined, html);
  // The printed book is cached too, by the joined pages: a rebuild in which
  // no part changed (only the EPUB's text, say) prints nothing again.
  const printed = options.cacheDir
    ? path.join(options.cacheDir, `${createHash('sha256').update(shared).update(html.split(dirUrl(options.dir)).join(DIR_TOKEN)).digest('hex')}.printed`)
    : undefined;
  const hit = printed ? readPrinted(printed) : undefined;
  if (hit) return { ...hit, cached };
  const label = `${parts[0]?.label ?? 'book'} and the rest of the book`;
  const doc = await openPaginated(session, { htmlFile: joined, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label });
  try {
    await finish(doc.page);
    const map = await readPageMap(doc.page);
    const pdf = await print(doc, { htmlFile: joined, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label });
    if (printed) writePrinted(printed, { pdf, map });
    return { pdf, map, cached };
  } catch (error) {
    if (error instanceof PaginationError) throw error;
    throw new PaginationError(`Printing the joined book failed: ${(error as Error).message}`, doc.report, { cause: error });
  } finally {
    await doc.close();
  }
}

/**
 * One HTML document holding every part's pages in order, with the style rules
 * of all parts (most are the same in each; order of first appearance is kept).
 * A part that ends on a right-hand page is followed by a blank left page so
 * the next chapter opens on the right, as `break-before: right` does in one document.
 */
export function joinParts(parts: SerializedPart[]): string {
  const seen = new Set<string>();
  const rules: string[] = [];
  for (const p of parts) {
    for (const r of p.rules) {
      if (!seen.has(r)) {
        seen.add(r);
        rules.push(r);
      }
    }
  }
  const body: string[] = [];
  let count = 0;
  parts.forEach((p, i) => {
    if (i > 0 && count % 2 === 1) {
      body.push('<div class="colophon-blank-slot"></div>');
      count++;
    }
    body.push(...p.pages);
    count += p.pages.length;
  });
  const first = parts[0];
  return (
    `<!DOCTYPE html>\n<html lang="${escapeAttr(first.lang)}" style="${escapeAttr(first.htmlStyle)}">\n<head>\n<meta charset="utf-8">\n` +
    `<title>${escapeAttr(first.title)}</title>\n` +
    `<style>\n${rules.join('\n').replace(/<\/style/gi, '<\\/style')}\n</style>\n</head>\n` +
    `<body class="${escapeAttr(first.bodyClass)}">\n<div class="pagedjs_pages" style="${escapeAttr(first.pagesStyle)}">\n` +
    body.join('\n') +
    '\n</div>\n</body>\n</html>\n'
  );
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
