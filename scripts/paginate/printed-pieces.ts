/**
 * A printed part kept chapter by chapter. A part of several chapters is
 * printed as one document, but Chromium tags each page's content apart and
 * a chapter's pages show nothing of the others but their folios and the page
 * numbers of cross-references; so each chapter's pages in the part's PDF are
 * indexed under a key of everything that shapes them. After an edit, the
 * chapter laid out alone is printed alone, and the part is merged from it and
 * the other chapters' pages in the part's earlier PDF (pdf-merge.ts), instead
 * of the whole part being put together in the page and printed again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Finishing } from './chunks.ts';
import type { OutlineItem, PageMap, SerializedPart } from './paginate.ts';
import type { PageSource } from './pdf-merge.ts';
import { markUsed, writeCacheEntry } from '../write/cache-entry.ts';

/** Where a chapter's pages lie in its part's PDF, and their page map. */
export interface PrintedPiece {
  /** The printed entry (`<name>.pdf` in the cache folder) that holds them. */
  printed: string;
  from: number;
  to: number;
  map: PageMap;
}

/** Each piece's pages in its part: from its first page up to the next piece's (a blank verso between them included). */
export function pieceSpans(starts: number[], pageCount: number): Array<{ from: number; to: number }> {
  return starts.map((from, k) => ({ from, to: k + 1 < starts.length ? starts[k + 1] : pageCount }));
}

// Paged.js names the elements it splits across pages by random ids, and
// writes style rules for them (`[data-following*="following-<id>"]`).
const LAYOUT_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * The key of a piece's printed pages: the build's layout inputs (`shared`,
 * which holds the theme's stylesheets), its pages (`normalise` makes them
 * independent of the work folder), the style rules Paged.js wrote for
 * elements of these pages, its numbers and its page count (a blank verso
 * after it or not). Other rules do not count: those for another layout's
 * elements (an id not in these pages) differ between a piece printed in its
 * part and alone, and the stylesheets' own rules are the same in both but for
 * what the worker's page kept from the documents it laid out before.
 */
export function printedPieceKey(shared: string, piece: SerializedPart, finishing: Finishing, pages: number, normalise: (html: string) => string): string {
  const html = piece.pages.join('\n');
  // Once each: Paged.js writes a rule again for every page an element goes on to, a part put together (pieces.ts) once.
  const rules = [...new Set(piece.rules)].filter((rule) => {
    const ids = [...rule.matchAll(LAYOUT_ID)];
    return ids.length > 0 && ids.every(([id]) => html.includes(id));
  });
  const h = createHash('sha256').update(shared).update(normalise(rules.join('\n'))).update('\0');
  for (const page of piece.pages) h.update(normalise(page)).update('\0');
  return h.update(JSON.stringify(finishing)).update(String(pages)).digest('hex');
}

export function writePrintedPiece(dir: string, key: string, entry: PrintedPiece): void {
  writeCacheEntry(path.join(dir, `${key}.piece.json`), JSON.stringify(entry));
}

/**
 * The entry and the bytes of its PDF, marked used; undefined when either is
 * missing or unreadable. PDFs already read (`files`, by name) are not read again.
 */
export function readPrintedPiece(dir: string, key: string, files: Map<string, Uint8Array>): (PrintedPiece & { bytes: Uint8Array }) | undefined {
  const file = path.join(dir, `${key}.piece.json`);
  try {
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as PrintedPiece;
    const pdf = path.join(dir, `${entry.printed}.pdf`);
    if (!files.has(entry.printed)) files.set(entry.printed, new Uint8Array(fs.readFileSync(pdf)));
    const bytes = files.get(entry.printed)!;
    markUsed(file, pdf);
    return { ...entry, bytes };
  } catch {
    return undefined;
  }
}

/** The pages of a piece to merge. */
export function pieceSource(piece: PrintedPiece & { bytes: Uint8Array }): PageSource {
  return { bytes: piece.bytes, from: piece.from, to: piece.to };
}

/** The page map of pages `from` up to `to` of a document, counted from the first of them. */
export function sliceMap(map: PageMap, from: number, to: number): PageMap {
  const inside = (page: number) => page >= from && page < to;
  const outline = (items: OutlineItem[]): OutlineItem[] =>
    items.filter((i) => inside(i.page)).map((i) => ({ ...i, page: i.page - from, children: outline(i.children) }));
  return {
    ...map,
    pageCount: to - from,
    pageStarts: map.pageStarts.slice(from, to),
    folios: map.folios.slice(from, to),
    notesAway: map.notesAway.filter((n) => inside(n.callPage)).map((n) => ({ ...n, callPage: n.callPage - from, notePage: n.notePage - from })),
    lonelyLines: map.lonelyLines.filter((l) => inside(l.page)).map((l) => ({ ...l, page: l.page - from })),
    // Chapter starts count pages from 1.
    chapterStarts: Object.fromEntries(Object.entries(map.chapterStarts).filter(([, p]) => inside(p - 1)).map(([id, p]) => [id, p - from])),
    outline: outline(map.outline),
  };
}
