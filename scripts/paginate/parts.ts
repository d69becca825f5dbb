/**
 * Parallel, incremental pagination. Paged.js lays a whole book out in one
 * browser page, and its cost per page grows with the length of the document.
 * Chapters of a book open on a new (right-hand) page, so they can be laid out
 * apart: the front matter and groups of chapters (groups.ts) are paginated in
 * their own browser pages, as many at once as there are cores, each result
 * cached by the hash of everything that shapes it, and the pages of each of
 * a part's chapters cached apart too (pieces.ts): when some chapters of a part
 * changed, only those are laid out, each alone, and the part is put together
 * from them and the others' cached pages. Then the pages are printed,
 * in one of two ways (`printing`):
 *
 * - 'parts': each part is numbered (finish.js) and printed in the page that
 *   laid it out, as soon as the parts before it are laid out and so its page
 *   numbers are known, while the other worker lays out the next part. A part
 *   from the layout cache is taken from the cache of printed parts as soon
 *   as its numbers are known. Parts whose links point further on (the
 *   contents, cross-references), and parts from the cache not printed with
 *   those numbers before, are printed at the end from their serialized
 *   pages. Each PDF is merged as it comes, in a worker thread (pdf-assembler.ts).
 * - 'joined': once every part is laid out, the pages are joined into
 *   documents of at most `chunkPages` pages that are numbered, printed side
 *   by side and merged.
 *
 * Printed parts and chunks are cached by their pages and numbers.
 * `paginate()` on the whole document stays the reference.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { closePage, openSandboxedPage, type BrowserSession } from '../browser.ts';
import {
  LAYOUT_SCRIPTS,
  PaginationError,
  finish,
  layOut,
  openPaginated,
  print,
  serialize,
  type OutlineItem,
  type PageMap,
  type PageSession,
  type PaginateResult,
  type SandboxedPage,
  type SerializedPart,
} from './paginate.ts';
import { DEFAULT_PRINTING, finishingOf, idOwners, pieceFinishing, planChunks, setAside, type Chunk, type Finishing, type IdOwner, type Printing } from './chunks.ts';
import { markUsed, writeCacheEntry } from '../write/cache-entry.ts';
import type { ChunkPdf } from './pdf-merge.ts';
import { BLANK_SLOT, composePieces, spliceScript, splitPieces } from './pieces.ts';
import { pieceSource, pieceSpans, printedPieceKey, readPrintedPiece, sliceMap, writePrintedPiece } from './printed-pieces.ts';
import { yieldToEvents } from '../util/yield.ts';
import { settleable } from '../util/settleable.ts';
import type { FontPlan } from '../fonts/font-plan.ts';

export interface Part {
  /** "front" or a chapter id. */
  id: string;
  htmlFile: string;
  /** For messages: "chapter 3 (03-river.md)". */
  label: string;
  /**
   * A part of several chapters: each one's own document, by which its pages
   * are cached apart (pieces.ts), so that after an edit only the chapters that
   * changed are laid out again. Written to `htmlFile` only when laid out.
   */
  chapters?: PartChapter[];
}

export interface PartChapter {
  id: string;
  htmlFile: string;
  html: string;
  label: string;
}

export interface PartsOptions {
  /** Folder that holds the parts' HTML and their shared assets. */
  dir: string;
  timeoutMs: number;
  /** Where laid-out parts are kept between builds; none: no cache. */
  cacheDir?: string;
  concurrency?: number;
  /** How the laid-out parts are printed (see above); default DEFAULT_PRINTING. */
  printing?: Printing;
  /** With 'joined' printing: pages of a chunk printed as one document (chunks.ts). */
  chunkPages?: number;
  /** A worker's page frees the parts it is done with once they add up to this many pages (chunks.ts). */
  garbagePages?: number;
  /** The faces each part's layout loads first (fonts/font-plan.ts). */
  fontPlan?: FontPlan;
  /**
   * Worker pages made ready beforehand (preparePage), taken one per worker in
   * order; those no worker takes are closed. A page that did not get ready is
   * undefined, and its worker opens one of its own.
   */
  pages?: Array<Promise<SandboxedPage | undefined>>;
  /**
   * With 'parts' printing, where each chunk goes as soon as it is printed (a
   * PdfAssembler's add), in any order, while the others are laid out; none:
   * the chunks are only returned.
   */
  merge?: (c: number, pdf: ChunkPdf) => Promise<void>;
  /** Say how far the work has come. */
  progress?: (done: number, total: number, part: Part, cached: boolean) => void;
  /**
   * Told the book's page map once, as soon as every part's pages and numbers
   * are known: before the last parts are printed and merged (the EPUB's page
   * markers need nothing more).
   */
  onMap?: (map: PageMap) => void;
}

/** How an edition was laid out and printed. */
export interface LayoutStats {
  /** Parts laid out apart (0 for one-document layout). */
  parts: number;
  /** Parts taken from the cache rather than laid out. */
  cached: number;
  /** Documents printed by Chromium in this build (the others came from the cache; 1 for one-document layout). */
  printed: number;
  /** Documents the book was printed in (merged into one PDF). */
  chunks: number;
  /** Times a worker's page collected the parts it was done with. */
  collected: number;
  /** Workers that found their page ready (options.pages). */
  prepared: number;
  /** Chapters laid out alone, in a part whose other chapters came from the cache. */
  chapters: number;
  /** Chapters of such parts taken from the cache. */
  pieces: number;
  /**
   * Chapters whose printed pages were taken from the PDF they were printed in
   * before (printed-pieces.ts): the parts that hold them were not printed whole again.
   */
  piecesReused: number;
}

export interface PartsResult {
  /** The printed book, or its chunks in order (to be merged with mergeChunkPdfs). */
  pdf: Uint8Array | ChunkPdf[];
  /** With chunks: which chunk holds each link target. */
  owners?: Map<string, IdOwner>;
  /** With chunks: every one of them was given to options.merge, as it was printed (those are the book). */
  merged?: boolean;
  /**
   * Then: settles once the merge took every chunk. Not awaited here, so that
   * the caller can ask for the book at once, behind the last chunks.
   */
  merging?: Promise<void>;
  map: PageMap;
  stats: LayoutStats;
}

/** A printed chunk and its page map. */
type Printed = { pdf: ChunkPdf; map: PageMap };

/** Everything that shapes a part's layout, as a hash: its HTML, the stylesheets and fonts it loads, our scripts. */
function cacheKey(html: string | Buffer, shared: string): string {
  return createHash('sha256').update(shared).update(html).digest('hex');
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
// Replaced by a function, as it is: a folder's name may hold `$&` or `$1`.
// (replaceAll does in one pass what split/join did in three: readCache of the
// novel's parts, 12 MB, 19 → 2 ms.)
const literally = (s: string) => () => s;

function readCache(file: string, dir: string): SerializedPart | undefined {
  try {
    const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
    return JSON.parse(text.replaceAll(JSON.stringify(DIR_TOKEN).slice(1, -1), literally(dirUrl(dir)))) as SerializedPart;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, dir: string, part: SerializedPart): void {
  const text = JSON.stringify(part).replaceAll(dirUrl(dir), literally(JSON.stringify(DIR_TOKEN).slice(1, -1)));
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

/** Lays a part out and hands its serialized pages, and the laid-out page before it is closed or reused, to `then`. */
async function layOutPart(
  session: BrowserSession,
  part: Part,
  options: PartsOptions,
  tab: SandboxedPage,
  then: (laid: PageSession, serialized: SerializedPart) => Promise<void>,
): Promise<void> {
  const attempt = async () => {
    const laid = await layOut(session, {
      htmlFile: part.htmlFile,
      allowedRoots: [options.dir],
      timeoutMs: options.timeoutMs,
      label: part.label,
      tab,
      garbagePages: options.garbagePages,
      fontPlan: options.fontPlan,
    });
    try {
      await then(laid, await serialize(laid.page));
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

/** Lays out every part (in parallel, from the cache where possible) and prints them, as `options.printing` says. */
export async function paginateParts(session: BrowserSession, parts: Part[], options: PartsOptions): Promise<PartsResult> {
  const shared = options.cacheDir ? sharedKey(options.dir, await session.version()) : '';
  const inPlace = (options.printing ?? DEFAULT_PRINTING) === 'parts';
  const forward = inPlace ? linksForward(parts) : [];
  const results: SerializedPart[] = new Array(parts.length);
  const printed: Array<(Printed & { finishing: Finishing }) | undefined> = new Array(parts.length);
  const laidOut = parts.map(() => settleable());
  // A worker that fails releases those waiting for its part.
  const failed = settleable();
  failed.promise.catch(() => undefined);
  let next = 0;
  let done = 0;
  let cached = 0;
  const prints = { count: 0 };
  let collected = 0;
  let prepared = 0;
  // Parts a worker prints where it laid them out (the rest is printed at the end).
  const printingInPlace = new Set<number>();
  // What is printed once every part is laid out, planned then, once.
  let plan: { chunks: Chunk[]; todo: number[]; ends: EndChunk[] } | undefined;
  const planEnd = () => {
    if (!plan) {
      // With 'parts', the parts not printed in place (one chunk each), else the
      // joined pages in chunks of a bounded size (one chunk for most books).
      const chunks = planChunks(results, inPlace ? 1 : options.chunkPages);
      const ends: EndChunk[] = [];
      const todo: number[] = [];
      for (let c = 0; c < chunks.length; c++) {
        if (printingInPlace.has(c) || printed[c]) continue;
        // Those the cache has are merged now, and their page maps known.
        ends[c] = lookUpChunk(chunks[c], chunks.length, options, shared);
        const hit = ends[c].hit;
        if (!hit) todo.push(c);
        else {
          pdfs[c] = hit;
          mapOf(c, hit.map);
          merge(c, hit.pdf);
        }
      }
      plan = { chunks, todo, ends };
      sendMap();
    }
    return plan;
  };
  const pdfs: Printed[] = [];
  // Each chunk's page map as soon as it is numbered (before it is printed), with the numbers of a part numbered alone.
  const maps: Array<{ map: PageMap; finishing?: Finishing } | undefined> = [];
  let mapSent = false;
  const sendMap = (final?: PageMap) => {
    if (mapSent || !options.onMap) return;
    if (!final) {
      if (!plan) return;
      const { chunks } = plan;
      if (!chunks.every((_, c) => maps[c])) return;
      // A part numbered alone with numbers the book does not confirm is printed again: the map waits for that.
      if (chunks.some((chunk, c) => maps[c]!.finishing && JSON.stringify(maps[c]!.finishing) !== JSON.stringify(finishingOf(chunk)))) return;
      final = chunks.length === 1 ? maps[0]!.map : mergeMaps(maps.map((m) => m!.map), chunks);
    }
    mapSent = true;
    options.onMap(final);
  };
  const mapOf = (c: number, map: PageMap, finishing?: Finishing) => {
    maps[c] ??= { map, finishing };
    sendMap();
  };
  // With 'parts' printing, each chunk is merged as soon as it is printed
  // (pdf-assembler.ts), while the others are still laid out.
  const merger = inPlace ? options.merge : undefined;
  const merging: Array<Promise<void>> = [];
  const merge = (c: number, pdf: ChunkPdf) => {
    if (!merger) return;
    const added = merger(c, pdf);
    added.catch(() => undefined);
    merging.push(added);
  };

  // The chapters of a part of several, printed in place, each with where it
  // lies in the part's chunk and the key of its printed pages
  // (printed-pieces.ts); undefined for other parts, or pages that do not
  // split at the chapters.
  const piecesOf = (i: number, chunk: Chunk) => {
    // Once per numbering: a part printed whole after its chapter could not be printed alone asks again.
    if (!piecesFound.has(chunk)) piecesFound.set(chunk, findPieces(i, chunk));
    return piecesFound.get(chunk);
  };
  const findPieces = (i: number, chunk: Chunk) => {
    const part = parts[i];
    if (!merger || !options.cacheDir || !part.chapters || part.chapters.length < 2) return undefined;
    const own = pieces[i]?.every(Boolean) ? (pieces[i] as SerializedPart[]) : splitPieces(results[i], part.chapters.map((ch) => ch.id));
    if (!own) return undefined;
    const composed = composePieces(own);
    if (composed.part.pages.length + (chunk.trailingBlank ? 1 : 0) !== chunk.pageCount) return undefined;
    const normalise = (html: string) => html.replaceAll(dirUrl(options.dir), literally(DIR_TOKEN));
    return pieceSpans(composed.starts, chunk.pageCount).map(({ from, to }, k) => {
      const finishing = pieceFinishing(chunk, from, to, own[k]);
      return { piece: own[k], from, to, finishing, key: printedPieceKey(shared, own[k], finishing, to - from, normalise) };
    });
  };
  const piecesFound = new WeakMap<Chunk, ReturnType<typeof findPieces>>();
  type Pieces = NonNullable<ReturnType<typeof findPieces>>;
  // The chapters' pages from the printed cache, all of them or all but one
  // (those of one PDF share its bytes, so that it is read once to be merged).
  const printedPieces = (list: Pieces, except?: number) => {
    const files = new Map<string, Uint8Array>();
    const found = list.map((p, k) => (k === except ? undefined : readPrintedPiece(options.cacheDir!, p.key, files)));
    return found.every((f, k) => f || k === except) ? found : undefined;
  };
  let piecesReused = 0;
  // A part's chunk, numbered once every part before it is laid out (its page
  // numbers follow from theirs), and taken from the cache of printed chunks
  // (and merged) when it is there: printed whole, or, with `pieces`, its
  // chapters' pages from wherever they were printed.
  const numbered = async (i: number, options_: { pieces?: boolean } = {}) => {
    await Promise.race([Promise.all(laidOut.slice(0, i).map((s) => s.promise)), failed.promise]);
    const chunk = planChunks(results.slice(0, i + 1), 1, { more: i < parts.length - 1 })[i];
    const finishing = finishingOf(chunk);
    const key = options.cacheDir ? printedKey(shared, joinParts(chunk.parts, { trailingBlank: chunk.trailingBlank }), finishing, options.dir) : undefined;
    let hit: Printed | undefined = key ? readPrinted(path.join(options.cacheDir!, key)) : undefined;
    const list = options_.pieces && !hit ? piecesOf(i, chunk) : undefined;
    const found = list && printedPieces(list);
    if (list && found) {
      hit = { pdf: found.map((f) => pieceSource(f!)), map: mergeMaps(found.map((f) => f!.map), list.map((p) => ({ offset: p.from }))) };
      piecesReused += list.length;
    }
    if (hit) {
      printed[i] = { ...hit, finishing };
      mapOf(i, hit.map, finishing);
      merge(i, hit.pdf);
    }
    return { chunk, finishing, key, hit: Boolean(hit) };
  };
  type Numbered = Awaited<ReturnType<typeof numbered>>;

  // Indexes the chapters' pages in the part's PDF just printed, for a later
  // build that prints one of them again alone.
  const indexPieces = (i: number, chunk: Chunk, key: string | undefined, map: PageMap) => {
    if (!key) return;
    for (const p of piecesOf(i, chunk) ?? []) writePrintedPiece(options.cacheDir!, p.key, { printed: key, from: p.from, to: p.to, map: sliceMap(map, p.from, p.to) });
  };

  // The part whose chapter `k` was just laid out alone, in `laid`, when its
  // other chapters' pages are in the printed cache: that chapter is numbered
  // and printed there alone, and the part merged from it and those pages.
  // False when some of them are not (the part is printed whole then).
  const printPieceAlone = async (i: number, k: number, laid: PageSession, n: Numbered): Promise<boolean> => {
    const list = piecesOf(i, n.chunk);
    const found = list && printedPieces(list, k);
    if (!list || !found) return false;
    const own = list[k];
    if (own.to - own.from > own.piece.pages.length) {
      await addBlankSlot(laid.page);
    }
    const map = await finish(laid.page, own.finishing);
    if (map.pageCount !== own.to - own.from) {
      throw new PaginationError(`${parts[i].label} has ${map.pageCount} pages for one chapter where ${own.to - own.from} were counted.`, laid.report);
    }
    const partMap = mergeMaps(list.map((p, j) => (j === k ? map : found[j]!.map)), list.map((p) => ({ offset: p.from })));
    const printing = print(laid, { htmlFile: parts[i].htmlFile, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label: parts[i].label });
    mapOf(i, partMap, n.finishing);
    const pdf = await printing;
    prints.count++;
    const name = `${own.key}.printed`;
    writePrinted(path.join(options.cacheDir!, name), { pdf, map });
    writePrintedPiece(options.cacheDir!, own.key, { printed: name, from: 0, to: map.pageCount, map });
    const sources = list.map((p, j) => (j === k ? { bytes: pdf } : pieceSource(found[j]!)));
    piecesReused += list.length - 1;
    printed[i] = { pdf: sources, map: partMap, finishing: n.finishing };
    merge(i, sources);
    return true;
  };
  // A part printed in place keeps its pages deflated from then on (chunks.ts); called once its cache entries are written.
  const setAsideIfPrinted = (i: number) => {
    if (printed[i]) setAside(results[i]);
  };
  // Parts from the layout cache looked up in the printed cache (below).
  const lookedUp: Array<Promise<unknown>> = [];

  // Numbers the part in the page that laid it out and prints it there.
  const printInPlace = async (i: number, laid: PageSession, n?: Numbered): Promise<void> => {
    const { chunk, finishing, key, hit } = n ?? (await numbered(i));
    if (hit) return;
    if (chunk.trailingBlank) {
      await addBlankSlot(laid.page);
    }
    const map = await finish(laid.page, finishing);
    if (map.pageCount !== chunk.pageCount) {
      throw new PaginationError(`${parts[i].label} has ${map.pageCount} pages where ${chunk.pageCount} were counted.`, laid.report);
    }
    const printing = print(laid, { htmlFile: parts[i].htmlFile, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label: parts[i].label });
    mapOf(i, map, finishing);
    const pdf = await printing;
    prints.count++;
    if (key) writePrinted(path.join(options.cacheDir!, key), { pdf, map });
    indexPieces(i, chunk, key, map);
    printed[i] = { pdf, map, finishing };
    merge(i, pdf);
  };

  // Parts from the layout cache first: they need no browser, and a part after
  // them waits only for the parts that are laid out to be numbered. Those that
  // link no further on are looked up in the printed cache as soon as their
  // numbers are known: after an edit, the parts around the one laid out are
  // merged while it is laid out.
  const cacheFiles = parts.map((part) => (options.cacheDir ? path.join(options.cacheDir, `${cacheKey(fs.readFileSync(part.htmlFile), shared)}.json.gz`) : undefined));
  // The pages of each chapter of a part of several, cached apart (pieces.ts).
  const pieceFiles = parts.map((part) =>
    options.cacheDir && part.chapters && part.chapters.length > 1
      ? part.chapters.map((ch) => path.join(options.cacheDir!, `${cacheKey(ch.html, shared)}.chapter.json.gz`))
      : undefined,
  );
  const pieces: Array<Array<SerializedPart | undefined> | undefined> = new Array(parts.length);
  let chaptersLaidOut = 0;
  let piecesCached = 0;
  // What the workers lay out: whole parts, or the chapters of a part that are
  // not in the cache when the others are. Told from which entries exist, so
  // that the workers start at once; the entries are read while they lay out,
  // and one that cannot be read adds its part to the tasks.
  const tasks: Array<{ part: number; chapter?: number }> = [];
  const inCache = (file: string | undefined) => Boolean(file && fs.existsSync(file));
  const fromCache: number[] = [];
  parts.forEach((_, i) => {
    if (inCache(cacheFiles[i])) fromCache.push(i);
    else if (pieceFiles[i]?.some(inCache)) {
      fromCache.push(i);
      pieces[i] = pieceFiles[i]!.map(() => undefined);
      pieceFiles[i]!.forEach((f, k) => {
        if (!inCache(f)) tasks.push({ part: i, chapter: k });
      });
    } else tasks.push({ part: i });
  });
  const readCached = async () => {
    for (const i of fromCache) {
      // Between entries, the browser's messages are answered (the workers' pages get ready meanwhile).
      await yieldToEvents();
      const part = parts[i];
      const file = cacheFiles[i];
      const hit = pieces[i] ? undefined : readCache(file!, options.dir);
      if (hit) {
        markUsed(file!);
        results[i] = hit;
      } else if (!pieces[i]) {
        tasks.push({ part: i });
        continue;
      } else {
        // Read at once (no await): either a worker that lays out one of these
        // chapters finished before, or it finds the others here when it does.
        const own = pieces[i]!;
        pieceFiles[i]!.forEach((f, k) => {
          if (own[k] || tasks.some((t) => t.part === i && t.chapter === k)) return;
          const piece = readCache(f, options.dir);
          if (!piece) return tasks.push({ part: i, chapter: k });
          own[k] = piece;
          markUsed(f);
          piecesCached++;
        });
        if (!own.every(Boolean)) continue;
        results[i] = composePieces(own as SerializedPart[]).part;
        writeCache(file!, options.dir, results[i]);
      }
      laidOut[i].resolve();
      cached++;
      options.progress?.(++done, parts.length, part, true);
      if (!inPlace || forward[i]) continue;
      const lookup = numbered(i, { pieces: true }).then((n) => {
        setAsideIfPrinted(i);
        return n;
      });
      lookup.catch(() => undefined);
      lookedUp.push(lookup);
    }
  };
  const reading = readCached();
  reading.catch(() => undefined);
  // Planned as soon as every part is laid out, whichever worker is still
  // printing: the chunks printed at the end that the cache has are merged
  // then, and the page map is known.
  const planned = Promise.race([Promise.all(laidOut.map((s) => s.promise)), failed.promise])
    .then(() => Promise.all(lookedUp))
    .then(() => void planEnd());
  planned.catch(() => undefined);

  // Each worker keeps one page (its own renderer process) from part to part:
  // the next part replaces the document Paged.js laid out (paginate.ts). A
  // browser context per worker was measured slower: every context starts a
  // renderer of its own, about a second and a half here.
  const worker = async (_: unknown, w: number) => {
    let tab: SandboxedPage | undefined;
    // Taken when first needed: a worker whose parts all come from the cache waits for no page.
    let ready = options.pages?.[w];
    // One page per worker, from part to part; a new one after a failure closed it.
    const ownTab = async () => {
      if (ready) {
        [tab, ready] = [await ready, undefined];
        if (tab) prepared++;
      }
      if (!tab || tab.page.isClosed()) tab = await openSandboxedPage(session, [options.dir]);
      return tab;
    };
    const layOutTasks = async () => {
      while (next < tasks.length) {
        const { part: i, chapter: k } = tasks[next++];
        const part = parts[i];
        if (k === undefined) {
          if (inPlace && !forward[i]) printingInPlace.add(i);
          await layOutPart(session, part, options, await ownTab(), async (laid, serialized) => {
            results[i] = serialized;
            laidOut[i].resolve();
            if (printingInPlace.has(i)) await printInPlace(i, laid);
          });
          if (cacheFiles[i]) writeCache(cacheFiles[i]!, options.dir, results[i]);
          const split = pieceFiles[i] && splitPieces(results[i], part.chapters!.map((ch) => ch.id));
          split?.forEach((piece, c) => writeCache(pieceFiles[i]![c], options.dir, piece));
          setAsideIfPrinted(i);
        } else {
          // A chapter alone; its part, put together once its last chapter is
          // laid out, is printed at the end from its pages.
          const ch = part.chapters![k];
          fs.writeFileSync(ch.htmlFile, ch.html);
          let last = false;
          await layOutPart(session, { id: ch.id, htmlFile: ch.htmlFile, label: ch.label }, options, await ownTab(), async (laid, serialized) => {
            pieces[i]![k] = serialized;
            writeCache(pieceFiles[i]![k], options.dir, serialized);
            last = pieces[i]!.every(Boolean);
            if (!last) return;
            // The part's last chapter: the part is whole, and printed in this page.
            const composed = composePieces(pieces[i] as SerializedPart[]);
            results[i] = composed.part;
            if (inPlace && !forward[i]) printingInPlace.add(i);
            laidOut[i].resolve();
            writeCache(cacheFiles[i]!, options.dir, results[i]);
            if (!printingInPlace.has(i)) return;
            const n = await numbered(i);
            if (n.hit || (await printPieceAlone(i, k, laid, n))) return;
            await laid.page.evaluate(spliceScript(composed, k, serialized));
            await printInPlace(i, laid, n);
          });
          chaptersLaidOut++;
          if (!last) continue;
          setAsideIfPrinted(i);
        }
        options.progress?.(++done, parts.length, part, false);
      }
    };
    try {
      await layOutTasks();
      // Entries that could not be read are laid out after all.
      await reading;
      await layOutTasks();
      // Then, once every part is laid out, the worker prints what is left in
      // its own page (the front matter, parts from the cache) while the others
      // may still print their last part: no page to open, no waiting for them.
      await Promise.race([Promise.all(laidOut.map((s) => s.promise)), failed.promise]);
      await Promise.all(lookedUp);
      const { chunks, todo, ends } = planEnd();
      for (let c = todo.shift(); c !== undefined; c = todo.shift()) {
        pdfs[c] = await printChunk(session, chunks[c], c, chunks.length, parts, options, ends[c], prints, (map) => mapOf(c, map), ownTab);
        merge(c, pdfs[c].pdf);
      }
    } catch (error) {
      failed.reject(error);
      throw error;
    } finally {
      collected += tab?.collected ?? 0;
      if (tab) await closePage(tab.page);
      void ready?.then((t) => t && closePage(t.page));
    }
  };
  const cores = options.concurrency ?? os.availableParallelism();
  const workers = Math.max(1, Math.min(cores, tasks.length));
  for (const spare of options.pages?.slice(workers) ?? []) void spare.then((t) => t && closePage(t.page));
  await Promise.all(Array.from({ length: workers }, worker));

  // A part printed in place whose numbers the whole book confirms is done;
  // one the book numbers otherwise (rare) is printed again from its pages.
  const { chunks } = planEnd();
  const again: number[] = [];
  chunks.forEach((chunk, c) => {
    if (pdfs[c]) return;
    const p = printed[c];
    if (p && JSON.stringify(p.finishing) === JSON.stringify(finishingOf(chunk))) pdfs[c] = p;
    else again.push(c);
  });
  // A part printed again leaves a merged chunk that is wrong: the book is merged from its chunks instead.
  const merged = !again.length && Boolean(merger);
  const printer = async () => {
    for (let c = again.shift(); c !== undefined; c = again.shift()) {
      const end = lookUpChunk(chunks[c], chunks.length, options, shared);
      pdfs[c] = end.hit ?? (await printChunk(session, chunks[c], c, chunks.length, parts, options, end, prints, () => undefined));
    }
  };
  await Promise.all(Array.from({ length: Math.min(again.length, cores) }, printer));
  const map = chunks.length === 1 ? pdfs[0].map : mergeMaps(pdfs.map((p) => p.map), chunks);
  sendMap(map);
  const stats = { parts: parts.length, cached, printed: prints.count, chunks: chunks.length, collected, prepared, chapters: chaptersLaidOut, pieces: piecesCached, piecesReused };
  const only = pdfs[0].pdf;
  if (chunks.length === 1 && only instanceof Uint8Array) return { pdf: only, map, stats };
  const all = merged ? Promise.all(merging).then(() => undefined) : undefined;
  all?.catch(() => undefined);
  return { pdf: pdfs.map((p) => p.pdf), owners: idOwners(chunks), merged, merging: all, map, stats };
}

/** A slot after the laid-out pages for the blank verso finish.js makes there (the next chunk opens on a right-hand page). */
function addBlankSlot(page: PageSession['page']): Promise<unknown> {
  return page.evaluate(`document.querySelector('.pagedjs_pages').insertAdjacentHTML('beforeend', ${JSON.stringify(BLANK_SLOT)})`);
}

/** The name of a printed chunk in the cache: its pages (wherever the build works) and numbers. */
function printedKey(shared: string, html: string, finishing: Finishing | null, dir: string): string {
  const h = createHash('sha256').update(shared).update(html.replaceAll(dirUrl(dir), literally(DIR_TOKEN))).update(JSON.stringify(finishing));
  return `${h.digest('hex')}.printed`;
}

/**
 * Which parts link to an element of a later part (the contents, a
 * cross-reference forward): their page numbers are known only when that part
 * is laid out, so they are printed at the end. Read from the parts' HTML: the
 * ids of the content are there before layout.
 */
export function linksForward(parts: Part[]): boolean[] {
  const owner = new Map<string, number>();
  const links: string[][] = [];
  parts.forEach((part, i) => {
    const html = fs.readFileSync(part.htmlFile, 'utf8');
    for (const m of html.matchAll(/\sid="([^"]+)"/g)) if (!owner.has(m[1])) owner.set(m[1], i);
    links.push([...html.matchAll(/\shref="#([^"]+)"/g)].map((m) => safeDecode(m[1])));
  });
  return links.map((list, i) => list.some((id) => (owner.get(id) ?? -1) > i));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A chunk printed once every part is laid out: its document and numbers, and its PDF when the cache has it. */
interface EndChunk {
  html: string;
  /** With one chunk, finish.js numbers the pages itself; with several, every chunk gets the book's numbers. */
  finishing: Finishing | null;
  file?: string;
  hit?: PaginateResult;
}

function lookUpChunk(chunk: Chunk, count: number, options: PartsOptions, shared: string): EndChunk {
  const html = joinParts(chunk.parts, { trailingBlank: chunk.trailingBlank });
  const finishing = count === 1 ? null : finishingOf(chunk);
  // A rebuild in which nothing in a chunk changed prints it not again.
  const file = options.cacheDir ? path.join(options.cacheDir, printedKey(shared, html, finishing, options.dir)) : undefined;
  return { html, finishing, file, hit: file ? readPrinted(file) : undefined };
}

async function printChunk(
  session: BrowserSession,
  chunk: Chunk,
  c: number,
  count: number,
  parts: Part[],
  options: PartsOptions,
  { html, finishing, file }: EndChunk,
  prints: { count: number },
  /** Told the chunk's page map before it is printed. */
  onMap: (map: PageMap) => void,
  /** The page to print in (a worker's own); a new one without. */
  tab?: () => Promise<SandboxedPage>,
): Promise<PaginateResult> {
  const joined = path.join(options.dir, count === 1 ? 'joined.html' : `joined-${c + 1}.html`);
  fs.writeFileSync(joined, html);
  const label = count === 1 ? `${parts[0]?.label ?? 'book'} and the rest of the book` : `pages ${chunk.offset + 1}–${chunk.offset + chunk.pageCount} of ${parts[0]?.label ?? 'the book'} and the rest of the book`;
  const doc = await openPaginated(session, { htmlFile: joined, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label, tab: await tab?.() });
  try {
    const map = await finish(doc.page, finishing ?? undefined);
    if (finishing && map.pageCount !== chunk.pageCount) {
      throw new PaginationError(`Chunk ${c + 1} of the book has ${map.pageCount} pages where ${chunk.pageCount} were counted.`, doc.report);
    }
    // Printing starts before the map is handed on: what it starts (the EPUB) works in Node while Chromium prints.
    const printing = print(doc, { htmlFile: joined, allowedRoots: [options.dir], timeoutMs: options.timeoutMs, label });
    onMap(map);
    const pdf = await printing;
    prints.count++;
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
export function mergeMaps(maps: PageMap[], chunks: Array<Pick<Chunk, 'offset'>>): PageMap {
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
  // Parts follow one another as a part's chapters do (pieces.ts).
  const { rules, pages: body } = composePieces(parts).part;
  // The next chunk opens on a right-hand page.
  if (options.trailingBlank && body.length % 2 === 1) body.push(BLANK_SLOT);
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
