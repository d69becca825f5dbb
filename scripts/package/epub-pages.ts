/**
 * Print page numbers in the EPUB. The PDF build reports where each physical
 * page begins (`PageMap.pageStarts`): the first numbered block on the page
 * (`data-pos`, from markBlockPositions) and, when the page continues a block
 * from the page before, the text it starts with. The EPUB is made from the
 * same trees with the same numbering, so each page becomes a
 * `<span epub:type="pagebreak" role="doc-pagebreak">` where that page begins,
 * and the nav document lists them in a `page-list`.
 */
import type { Element, ElementContent, Root, RootContent, Text } from 'hast';
import { visit } from 'unist-util-visit';
import type { PageMap } from '../paginate/paginate.ts';

export interface PageStart {
  folio: string;
  pos: string;
  continued: boolean;
  text: string;
}

export interface PageTarget {
  /** The page number as printed. */
  label: string;
  /** `ch-03.xhtml#page-42`. */
  href: string;
}

/** Pages that carry a folio and begin with a numbered block, grouped by chapter id, in page order. */
export function pageStartsByChapter(map: PageMap): Map<string, PageStart[]> {
  const out = new Map<string, PageStart[]>();
  const seen = new Set<string>();
  map.pageStarts.forEach((start, i) => {
    const folio = map.folios[i] ?? '';
    if (!start || !folio || seen.has(folio)) return;
    seen.add(folio);
    const chapter = start.pos.slice(0, start.pos.lastIndexOf('.'));
    const list = out.get(chapter) ?? [];
    list.push({ folio, ...start });
    out.set(chapter, list);
  });
  return out;
}

/** Marker ids are built from folios, which are digits or roman numerals; anything else is made safe. */
export function pageId(folio: string): string {
  return `page-${folio.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function marker(folio: string): Element {
  return {
    type: 'element',
    tagName: 'span',
    properties: { 'epub:type': 'pagebreak', role: 'doc-pagebreak', id: pageId(folio), ariaLabel: folio },
    children: [],
  };
}

/** Elements whose text is a word apart from the text before it, spaces or not. */
const CELLS = new Set(['td', 'th', 'li', 'p', 'dt', 'dd', 'caption', 'figcaption', 'pre', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** Blocks that may hold a span at their start; others get the marker just before them. */
const HOLDS_PHRASING = new Set(['p', 'li', 'dd', 'dt', 'pre']);

export interface PlacedPages {
  /** Folios placed in this chapter, in order. */
  placed: string[];
  /** The chapter's first page, when it starts with the chapter's first block: placed before the chapter heading. */
  leading: string | null;
}

/**
 * Inserts the markers for `starts` (one chapter's pages, in order) into `tree`,
 * whose blocks carry `data-pos`. `firstPos` is the position of the chapter's
 * first block: a page that starts there starts with the chapter title, so its
 * marker belongs before the heading and is returned as `leading`.
 */
export function insertPageBreaks(tree: Root, chapterId: string, starts: PageStart[]): PlacedPages {
  const blocks = new Map<string, { node: Element; parent: Root | Element }>();
  visit(tree, 'element', (node: Element, _i, parent) => {
    const pos = node.properties?.dataPos;
    if (typeof pos === 'string' && parent) blocks.set(pos, { node, parent: parent as Root | Element });
  });
  const result: PlacedPages = { placed: [], leading: null };
  // Where the last marker went inside a block, so that two pages continuing one block stay in order.
  const after = new Map<string, number>();
  for (const start of starts) {
    if (start.pos === `${chapterId}.1` && !start.continued && !result.placed.length) {
      result.leading = start.folio;
      result.placed.push(start.folio);
      continue;
    }
    const block = blocks.get(start.pos);
    if (!block) continue;
    const { node, parent } = block;
    if (start.continued && start.text) {
      const at = insertInText(node, start.text, after.get(start.pos) ?? 0, marker(start.folio));
      if (at !== undefined) {
        after.set(start.pos, at);
        result.placed.push(start.folio);
        continue;
      }
    }
    // Not continued, or the text was not found: the page starts at the block.
    if (HOLDS_PHRASING.has(node.tagName)) node.children.unshift(marker(start.folio));
    else parent.children.splice(parent.children.indexOf(node), 0, marker(start.folio) as RootContent & ElementContent);
    result.placed.push(start.folio);
  }
  return result;
}

interface Run {
  node: Text;
  parent: Element;
}

/**
 * Puts `mark` before the word where `text` begins inside `block` (at or after
 * the normalised offset `from`); returns the offset found, or undefined.
 */
function insertInText(block: Element, text: string, from: number, mark: Element): number | undefined {
  const runs: Run[] = [];
  visit(block, 'text', (node: Text, _i, parent) => {
    if (parent && parent.type === 'element') runs.push({ node, parent });
  });
  // The text without whitespace (Paged.js drops whitespace-only nodes when it rebuilds a split table or
  // list, and soft hyphens are print-only), with a map back to run and offset, and where words begin.
  let norm = '';
  const where: Array<[number, number]> = [];
  const wordStart: boolean[] = [];
  let space = true;
  let lastParent: Element | undefined;
  runs.forEach((run, r) => {
    if (run.parent !== lastParent && lastParent && CELLS.has(run.parent.tagName)) space = true;
    lastParent = run.parent;
    for (let o = 0; o < run.node.value.length; o++) {
      const ch = run.node.value[o];
      if (ch === '\u00AD') continue;
      if (/\s/.test(ch)) {
        space = true;
        continue;
      }
      norm += ch;
      where.push([r, o]);
      wordStart.push(space);
      space = false;
    }
  });
  const wanted = text.replace(/[\u00AD\s]/g, '');
  let at = -1;
  // The page's text may differ at its end (a note call, a generated page number): try shorter prefixes.
  for (const len of [wanted.length, 32, 20, 10]) {
    if (len > wanted.length || len < 5) continue;
    at = norm.indexOf(wanted.slice(0, len), from);
    if (at >= 0) break;
  }
  if (at < 0) return undefined;
  const found = at;
  // Back to the start of the word (the page may begin after a hyphenation point).
  while (at > 0 && !wordStart[at]) at--;
  const [r, o] = where[at];
  const { node, parent } = runs[r];
  const index = parent.children.indexOf(node);
  const before = node.value.slice(0, o);
  const rest = node.value.slice(o);
  const pieces: ElementContent[] = [];
  if (before) pieces.push({ type: 'text', value: before });
  pieces.push(mark);
  pieces.push({ type: 'text', value: rest });
  parent.children.splice(index, 1, ...pieces);
  return found + 1;
}

/** Drops the block numbers once the markers are placed (they are for the build, not for readers). */
export function clearBlockPositions(tree: Root): Root {
  visit(tree, 'element', (node: Element) => {
    if (node.properties && 'dataPos' in node.properties) delete node.properties.dataPos;
  });
  return tree;
}
