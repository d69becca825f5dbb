/**
 * A part of several chapters is laid out as one document, but each of its
 * chapters opens on a right-hand page and is laid out exactly as it would be
 * alone. So the part's pages are also kept chapter by chapter (the pieces):
 * after an edit, only the chapter that changed is laid out again, and the
 * part is put together from its pieces (parts.ts).
 */
import type { SerializedPart } from './paginate.ts';

/** Where a blank verso goes between parts or pieces; finish.js makes it a page. */
export const BLANK_SLOT = '<div class="colophon-blank-slot"></div>';

/** A blank page Paged.js made, or a slot for one (in a part put together from pieces). */
function isBlank(page: string): boolean {
  return page === BLANK_SLOT || / class="[^"]*\bpagedjs_blank_page\b/.test(page.slice(0, page.indexOf('>') + 1));
}

function opens(page: string, id: string): boolean {
  return page.includes(` id="${id.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`);
}

/**
 * The pages of each chapter of a laid-out part, in order, without the blank
 * versos Paged.js put before the next chapter. Undefined when the pages do not
 * open with the chapters in that order (nothing is cached then).
 */
export function splitPieces(part: SerializedPart, ids: string[]): SerializedPart[] | undefined {
  const starts: number[] = [];
  let from = 0;
  for (const id of ids) {
    let at = from;
    while (at < part.pages.length && !opens(part.pages[at], id)) at++;
    if (at === part.pages.length || (starts.length === 0 && at !== 0)) return undefined;
    starts.push(at);
    from = at + 1;
  }
  return starts.map((start, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] : part.pages.length;
    while (end > start + 1 && isBlank(part.pages[end - 1])) end--;
    return { ...part, pages: part.pages.slice(start, end) };
  });
}

/**
 * A part from its chapters' pieces: each chapter after one that ends on a
 * right-hand page gets a blank verso before it, as `break-before: right` does
 * in one document; the style rules of all, in order of first appearance.
 */
export function composePieces(pieces: SerializedPart[]): { part: SerializedPart; starts: number[] } {
  const seen = new Set<string>();
  const rules: string[] = [];
  const pages: string[] = [];
  const starts: number[] = [];
  for (const piece of pieces) {
    for (const r of piece.rules) {
      if (seen.has(r)) continue;
      seen.add(r);
      rules.push(r);
    }
    if (pages.length % 2 === 1) pages.push(BLANK_SLOT);
    starts.push(pages.length);
    pages.push(...piece.pages);
  }
  return { part: { ...pieces[0], rules, pages }, starts };
}

/**
 * Turns the page that laid out piece `k` alone into the whole part: the
 * pages of the other pieces (and the blank versos between them) go in before
 * and after its own, with any style rule they have that it lacks. Then the
 * part is numbered and printed there, as a part laid out whole would be,
 * without loading its pages into a new document.
 */
export function spliceScript(composed: { part: SerializedPart; starts: number[] }, k: number, own: SerializedPart): string {
  const { part, starts } = composed;
  const before = part.pages.slice(0, starts[k]).join('\n');
  const after = part.pages.slice(starts[k] + own.pages.length).join('\n');
  const present = new Set(own.rules);
  const rules = part.rules.filter((r) => !present.has(r)).join('\n');
  return `(() => {
    const pages = document.querySelector('.pagedjs_pages');
    pages.insertAdjacentHTML('afterbegin', ${JSON.stringify(before)});
    pages.insertAdjacentHTML('beforeend', ${JSON.stringify(after)});
    const rules = ${JSON.stringify(rules)};
    if (rules) document.head.append(Object.assign(document.createElement('style'), { textContent: rules }));
  })()`;
}
