/**
 * A long book is printed in chunks. Chromium's printing of one document grows
 * faster than its page count (the novel's 481 pages print in about 8 s here,
 * four times as many in about 60 s) and holds every page in memory, so the
 * joined pages are cut, at part boundaries, into documents of a bounded number
 * of pages that are printed side by side and merged (pdf-merge.ts).
 *
 * Page numbers are worked out here for the whole book from the serialized
 * pages — the same rule finish.js applies in the page, evaluated from that
 * very file — so that each chunk is finished with its pages' folios and the
 * folio of every link target that lies in another chunk. A book printed part
 * by part (parts.ts) is planned the same way, each part a chunk of its own.
 */
import fs from 'node:fs';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { toolFile } from '../util/package-dir.ts';
import type { SerializedPart } from './paginate.ts';

// Measured on the novel (481 pages, 2 cores): chunks of 150 pages print the
// book as fast as chunks of 300, with a fifth less memory at the peak, and a
// rebuild after a one-chapter edit prints a third as many pages again.
export const DEFAULT_CHUNK_PAGES = 150;

/** How laid-out parts are printed (paginate/parts.ts); `npm run bench` measures both. */
export type Printing = 'parts' | 'joined';
export const DEFAULT_PRINTING: Printing = 'parts';

/**
 * Chromium frees a replaced document's pages only when its own heap limits
 * say so, and those grow with the heap: a worker laying out a long book would
 * hold the DOM of many parts it is done with. Its page collects them once
 * this many pages wait (a collection takes about 0.1 s), so a page holds at
 * most about this many besides its current part, however long the book.
 */
export const DEFAULT_GARBAGE_PAGES = 400;

export interface Chunk {
  parts: SerializedPart[];
  /** Index of the chunk's first page in the book. */
  offset: number;
  /** Pages, blank versos included. */
  pageCount: number;
  /** A blank verso after the last part, so that the next chunk opens on a right-hand page. */
  trailingBlank: boolean;
  /** The folio of each page of the chunk. */
  folios: string[];
  /** Folios of link targets that lie in other chunks. */
  targets: Record<string, string>;
  /** Index in the book of the page where each id of the chunk is. */
  ids: Map<string, number>;
}

/** What finish.js numbers a chunk with: where it starts, its pages' folios, and those of link targets elsewhere. */
export type Finishing = { offset: number; folios: string[]; targets: Record<string, string> };

export function finishingOf(chunk: Chunk): Finishing {
  return { offset: chunk.offset, folios: chunk.folios, targets: chunk.targets };
}

/**
 * The numbers one piece of a chunk (a chapter's pages, `from` up to `to` in
 * the chunk) is finished with when it is printed alone: its pages' folios,
 * and the folio of every link target outside it, in the chunk or beyond.
 */
export function pieceFinishing(chunk: Chunk, from: number, to: number, piece: SerializedPart): Finishing {
  const targets: Record<string, string> = {};
  for (const page of scan(piece)) {
    for (const id of page.links) {
      const at = chunk.ids.get(id);
      if (at !== undefined && at >= chunk.offset + from && at < chunk.offset + to) continue;
      const folio = at !== undefined ? chunk.folios[at - chunk.offset] : chunk.targets[id];
      if (folio !== undefined) targets[id] = folio;
    }
  }
  return { offset: chunk.offset + from, folios: chunk.folios.slice(from, to), targets };
}

export interface IdOwner {
  chunk: number;
  /** Page index in the book. */
  page: number;
}

type FolioLabels = (classNames: string[], book: boolean, screen: boolean) => string[];
let folioLabels: FolioLabels | undefined;
/** finish.js's numbering rule, run in Node. */
function labels(): FolioLabels {
  if (!folioLabels) {
    const window: Record<string, unknown> = {};
    vm.runInNewContext(fs.readFileSync(toolFile('scripts', 'paginate', 'in-page', 'finish.js'), 'utf8'), { window });
    folioLabels = window.colophonFolioLabels as FolioLabels;
  }
  return folioLabels;
}

const BLANK_CLASS = 'pagedjs_page pagedjs_blank_page';

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&');
}

function classOf(page: string): string {
  return unescape(/^<div[^>]*?\sclass="([^"]*)"/.exec(page)?.[1] ?? '');
}

function idsIn(page: string): string[] {
  return [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => unescape(m[1]));
}

function linkTargetsIn(page: string): string[] {
  const out: string[] = [];
  for (const m of page.matchAll(/<a\s[^>]*?href="#([^"]+)"/g)) {
    try {
      out.push(decodeURIComponent(unescape(m[1])));
    } catch {
      out.push(unescape(m[1]));
    }
  }
  return out;
}

interface PageScan {
  className: string;
  ids: string[];
  links: string[];
}
// A part is planned once for each part after it is laid out (parts.ts): its
// pages are read once, not each time. Keyed by the part, so a memo only.
const scans = new WeakMap<SerializedPart, PageScan[]>();
function scan(part: SerializedPart): PageScan[] {
  let pages = scans.get(part);
  if (!pages) {
    // Copied through JSON: V8 keeps what a pattern matched as a slice of the
    // page's string, so the scan would hold every page's HTML (setAside).
    pages = JSON.parse(JSON.stringify(part.pages.map((page) => ({ className: classOf(page), ids: idsIn(page), links: linkTargetsIn(page) })))) as PageScan[];
    scans.set(part, pages);
  }
  return pages;
}

/**
 * A part printed where it was laid out is needed after that for its pages'
 * scans alone (planChunks numbers the parts after it from them), unless the
 * whole book numbers it otherwise than it was printed with (rare), when it
 * is printed again from its pages. Its pages' HTML, most of what Node holds
 * of a long book's layout (the novel four times over: some 30 MB by the
 * end), is kept deflated from then on and read back only if needed. The
 * part stays the same object, with the same pages to every reader.
 */
export function setAside(part: SerializedPart): void {
  if (Object.getOwnPropertyDescriptor(part, 'pages')?.get) return;
  scan(part);
  const packed = zlib.deflateRawSync(Buffer.from(JSON.stringify(part.pages)), { level: 1 });
  Object.defineProperty(part, 'pages', {
    configurable: true,
    enumerable: true,
    get: () => JSON.parse(zlib.inflateRawSync(packed).toString('utf8')) as string[],
  });
}

/**
 * Cuts the parts into chunks of at most `maxPages` pages (a part longer than
 * that is a chunk of its own). With `more`, the parts are the beginning of a
 * book whose other parts are still being laid out: the last chunk then gets
 * the blank verso a chunk followed by others needs.
 */
export function planChunks(parts: SerializedPart[], maxPages = DEFAULT_CHUNK_PAGES, options: { more?: boolean } = {}): Chunk[] {
  // Every page of the book in order, with the blank versos joinParts would insert.
  const groups: SerializedPart[][] = [];
  let current: SerializedPart[] = [];
  let size = 0;
  parts.forEach((part) => {
    // From the scan: the pages of a part set aside are not read again.
    const count = scan(part).length;
    if (current.length && size + count > maxPages) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(part);
    size += count;
  });
  if (current.length) groups.push(current);

  const classes: string[] = [];
  const pagesOf: PageScan[][] = groups.map(() => []);
  const chunks: Chunk[] = [];
  groups.forEach((group, c) => {
    const offset = classes.length;
    group.forEach((part, i) => {
      if (i > 0 && (classes.length - offset) % 2 === 1) {
        classes.push(BLANK_CLASS);
      }
      for (const page of scan(part)) {
        classes.push(page.className);
        pagesOf[c].push(page);
      }
    });
    const last = c === groups.length - 1 && !options.more;
    const trailingBlank = !last && (classes.length - offset) % 2 === 1;
    if (trailingBlank) classes.push(BLANK_CLASS);
    chunks.push({ parts: group, offset, pageCount: classes.length - offset, trailingBlank, folios: [], targets: {}, ids: new Map() });
  });

  const first = parts[0];
  const body = ` ${first?.bodyClass ?? ''} `;
  const folios = labels()(classes, body.includes(' layout-book '), body.includes(' edition-screen '));
  // Where every id lives: its chunk and the folio of its page.
  const owner = new Map<string, { chunk: number; folio: string }>();
  chunks.forEach((chunk, c) => {
    chunk.folios = folios.slice(chunk.offset, chunk.offset + chunk.pageCount);
    let index = chunk.offset;
    chunk.parts.forEach((part, i) => {
      if (i > 0 && (index - chunk.offset) % 2 === 1) index++;
      for (const page of scan(part)) {
        for (const id of page.ids) {
          if (owner.has(id)) continue;
          owner.set(id, { chunk: c, folio: folios[index] });
          chunk.ids.set(id, index);
        }
        index++;
      }
    });
  });
  chunks.forEach((chunk, c) => {
    for (const page of pagesOf[c]) {
      for (const id of page.links) {
        const o = owner.get(id);
        if (o && o.chunk !== c) chunk.targets[id] = o.folio;
      }
    }
  });
  return chunks;
}

/** Which chunk holds each id, and on which page (for the merged PDF's named destinations). */
export function idOwners(chunks: Chunk[]): Map<string, IdOwner> {
  const owners = new Map<string, IdOwner>();
  chunks.forEach((chunk, c) => {
    for (const [id, page] of chunk.ids) owners.set(id, { chunk: c, page });
  });
  return owners;
}
