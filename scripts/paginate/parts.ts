/**
 * Parallel, incremental pagination. Paged.js lays a whole book out in one
 * browser page, and its cost per page grows with the length of the document.
 * Chapters of a book open on a new (right-hand) page, so they can be laid out
 * apart: the front matter and groups of chapters (groups.ts) are paginated in
 * their own browser pages, as many at once as there are cores, each result
 * cached by the hash of everything that shapes it. The laid-out pages are
 * joined into one document that is numbered (finish.js) and printed — a long
 * book in chunks printed side by side and merged (chunks.ts, pdf-merge.ts).
 * `paginate()` on the whole document stays the reference.
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
  type OutlineItem,
  type PageMap,
  type PaginateResult,
  type SandboxedPage,
  type SerializedPart,
} from './paginate.ts';
import { idOwners, planChunks, type Chunk, type IdOwner } from './chunks.ts';
import { markUsed, writeCacheEntry } from '../write/cache-entry.ts';

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
  /** Pages of a chunk printed as one document (chunks.ts). */
  chunkPages?: number;
  /** Say how far the work has come. */
  progress?: (done: number, total: number, part: Part, cached: boolean) => void;
}

export interface PartsResult {
  /** The printed book, or its chunks in order (to be merged with mergeChunkPdfs). */
  pdf: Uint8Array | Uint8Array[];
  /** With chunks: which chunk holds each link target. */
  owners?: Map<string, IdOwner>;
  map: PageMap;
  /** Parts taken from the cache rather than laid out. */
  cached: number;
  /** Documents the book was printed in. */
  chunks: number;
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
  const text = JSON.stringify(part).split(dirUrl(dir)).join(JSON.stringify(DIR_TOKEN).slice(1, -1));
  writeCacheEntry(file, zlib.gzipSync(text, { level: 1 }));
}

function readPrinted(file: string): PaginateResult | undefined {
  try {
    const map = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as PaginateResult['map'];
    const pdf = new Uint8Array(fs.readFileSync(`${file}.pdf`));
    markUsed(`${file}.json`, `${file}.pdf`);
    return { pdf, map };
  } catch {
    return undefined;
  }
}

function writePrinted(file: string, result: PaginateResult): void {
  writeCacheEntry(`${file}.json`, JSON.stringify(result.map));
  writeCacheEntry(`${file}.pdf`, result.pdf);
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

/** Lays out every part (in parallel, from the cache where possible), joins the pages and prints them (a long book in chunks, to be merged). */
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
          markUsed(file!);
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

  // The joined pages, printed in chunks of a bounded size, side by side (one chunk for most books).
  const chunks = planChunks(results, options.chunkPages);
  const printed: PaginateResult[] = new Array(chunks.length);
  let nextChunk = 0;
  const printer = async () => {
    while (nextChunk < chunks.length) {
      const c = nextChunk++;
      printed[c] = await printChunk(session, chunks[c], c, chunks.length, parts, options, shared);
    }
  };
  await Promise.all(Array.from({ length: Math.min(chunks.length, options.concurrency ?? os.availableParallelism()) }, printer));
  if (chunks.length === 1) return { ...printed[0], cached, chunks: 1 };
  return { pdf: printed.map((p) => p.pdf), owners: idOwners(chunks), map: mergeMaps(printed.map((p) => p.map), chunks), cached, chunks: chunks.length };
}

async function printChunk(
  session: BrowserSession,
  chunk: Chunk,
  c: number,
  count: number,
  parts: Part[],
  options: PartsOptions,
  shared: string,
): Promise<PaginateResult> {
  const joined = path.join(options.dir, count === 1 ? 'joined.html' : `joined-${c + 1}.html`);
  const html = joinParts(chunk.parts, { trailingBlank: chunk.trailingBlank });
  fs.writeFileSync(joined, html);
  // With one chunk, finish.js numbers the pages itself; with several, every chunk gets the book's numbers.
  const finishing = count === 1 ? undefined : { offset: chunk.offset, folios: chunk.folios, targets: chunk.targets };
  // Printed chunks are cached too, by their pages and numbers: a rebuild in
  // which nothing in a chunk changed prints it not again.
  const key = createHash('sha256').update(shared).update(html.split(dirUrl(options.dir)).join(DIR_TOKEN)).update(JSON.stringify(finishing ?? null));
  const file = options.cacheDir ? path.join(options.cacheDir, `${key.digest('hex')}.printed`) : undefined;
  const hit = file ? readPrinted(file) : undefined;
  if (hit) return hit;
  const label = count === 1 ? `${parts[0]?.label ?? 'book'} and the rest of the book` : `pages ${chunk.offset + 1}–${chunk.offset + chunk.pageCount} of ${parts[0]?.label ?? 'the book'} and the rest of the book`;
  const doc = await openPaginated(session, { htmlFile: joined, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label });
  try {
    await finish(doc.page, finishing);
    const map = await readPageMap(doc.page);
    if (finishing && map.pageCount !== chunk.pageCount) {
      throw new PaginationError(`Chunk ${c + 1} of the book has ${map.pageCount} pages where ${chunk.pageCount} were counted.`, doc.report);
    }
    const pdf = await print(doc, { htmlFile: joined, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label });
    if (file) writePrinted(file, { pdf, map });
    return { pdf, map };
  } catch (error) {
    if (error instanceof PaginationError) throw error;
    throw new PaginationError(`Printing the joined book failed: ${(error as Error).message}`, doc.report, { cause: error });
  } finally {
    await doc.close();
  }
}

/** The page maps of the chunks as one, page numbers counted from the start of the book. */
export function mergeMaps(maps: PageMap[], chunks: Chunk[]): PageMap {
  const shift = (items: OutlineItem[], by: number): OutlineItem[] => items.map((i) => ({ ...i, page: i.page + by, children: shift(i.children, by) }));
  const out: PageMap = { ...maps[0], pageCount: 0, pageStarts: [], notesAway: [], lonelyLines: [], folios: [], chapterStarts: {}, outline: [] };
  maps.forEach((m, c) => {
    const by = chunks[c].offset;
    out.pageCount += m.pageCount;
    out.pageStarts.push(...m.pageStarts);
    out.folios.push(...m.folios);
    out.notesAway.push(...m.notesAway.map((n) => ({ ...n, callPage: n.callPage + by, notePage: n.notePage + by })));
    out.lonelyLines.push(...m.lonelyLines.map((l) => ({ ...l, page: l.page + by })));
    for (const [id, page] of Object.entries(m.chapterStarts)) out.chapterStarts[id] = page + by;
    out.outline.push(...shift(m.outline, by));
  });
  return out;
}

/**
 * One HTML document holding every part's pages in order, with the style rules
 * of all parts (most are the same in each; order of first appearance is kept).
 * A part that ends on a right-hand page is followed by a blank left page so
 * the next chapter opens on the right, as `break-before: right` does in one document.
 */
export function joinParts(parts: SerializedPart[], options: { trailingBlank?: boolean } = {}): string {
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
  // The next chunk opens on a right-hand page.
  if (options.trailingBlank && count % 2 === 1) body.push('<div class="colophon-blank-slot"></div>');
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
