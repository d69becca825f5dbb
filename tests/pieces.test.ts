import { describe, expect, it } from 'vitest';
import { BLANK_SLOT, composePieces, spliceScript, splitPieces } from '../scripts/paginate/pieces.ts';
import { planChunks } from '../scripts/paginate/chunks.ts';
import type { SerializedPart } from '../scripts/paginate/paginate.ts';

const page = (text: string, options: { id?: string; blank?: boolean } = {}) =>
  `<div class="pagedjs_page${options.blank ? ' pagedjs_blank_page' : ''} pagedjs_right_page" id="page-x"><div class="pagedjs_page_content">` +
  (options.id ? `<section class="chapter" id="${options.id}"><p>${text}</p></section>` : `<section class="chapter"><p>${text}</p></section>`) +
  '</div></div>';

const serialized = (pages: string[], rules = ['p { margin: 0; }']): SerializedPart => ({
  rules,
  pages,
  htmlStyle: '',
  lang: 'en',
  title: 'T',
  bodyClass: 'layout-book edition-print',
  pagesStyle: '',
});

// Three chapters as Paged.js lays them out in one document: ch-1 has three
// pages (then a blank verso), ch-2 two, ch-3 one.
const group = serialized([
  page('a1', { id: 'ch-1' }),
  page('a2'),
  page('a3'),
  page('', { blank: true }),
  page('b1', { id: 'ch-2' }),
  page('b2'),
  page('c1', { id: 'ch-3' }),
]);

describe('chapter pieces of a part', () => {
  it('splits a part at its chapters’ opening pages, leaving out the blank versos before them', () => {
    const pieces = splitPieces(group, ['ch-1', 'ch-2', 'ch-3'])!;
    expect(pieces.map((p) => p.pages.length)).toEqual([3, 2, 1]);
    expect(pieces[0].pages[0]).toContain('a1');
    expect(pieces[1].pages[0]).toContain('b1');
    expect(pieces[2].pages[0]).toContain('c1');
    expect(pieces.every((p) => p.rules === group.rules)).toBe(true);
  });

  it('does not split pages that do not open with the chapters in order', () => {
    expect(splitPieces(group, ['ch-2', 'ch-1', 'ch-3'])).toBeUndefined();
    expect(splitPieces(group, ['ch-1', 'ch-4'])).toBeUndefined();
    // The first chapter must open the part.
    expect(splitPieces(group, ['ch-2', 'ch-3'])).toBeUndefined();
  });

  it('puts the part together again with a blank verso wherever a chapter ends on a right-hand page', () => {
    const { part, starts } = composePieces(splitPieces(group, ['ch-1', 'ch-2', 'ch-3'])!);
    expect(part.pages.length).toBe(group.pages.length);
    expect(part.pages[3]).toBe(BLANK_SLOT);
    expect(starts).toEqual([0, 4, 6]);
    // Numbered as the part laid out whole: the same number of pages, chapters on the same pages.
    const whole = planChunks([group])[0];
    const composed = planChunks([part])[0];
    expect(composed.pageCount).toBe(whole.pageCount);
    expect([...composed.ids]).toEqual([...whole.ids]);
    expect(composed.folios).toEqual(whole.folios);
  });

  it('keeps every style rule of the pieces once, in order of first appearance', () => {
    const a = serialized([page('a1', { id: 'ch-1' })], ['r1', 'r2']);
    const b = serialized([page('b1', { id: 'ch-2' })], ['r2', 'r3']);
    expect(composePieces([a, b]).part.rules).toEqual(['r1', 'r2', 'r3']);
  });

  it('splices the other pieces around the one laid out in a page, with the rules it lacks', () => {
    const a = serialized([page('a1', { id: 'ch-1' })], ['r1']);
    const b = serialized([page('b1', { id: 'ch-2' }), page('b2')], ['r1', 'r2']);
    const c = serialized([page('c1', { id: 'ch-3' })], ['r1']);
    const composed = composePieces([a, b, c]);
    const script = spliceScript(composed, 1, b);
    // Run against a stand-in document: what goes before and after the page's own pages.
    const run = (source: string) => {
      const inserted: Record<string, string> = {};
      const head: unknown[] = [];
      const document = {
        querySelector: () => ({ insertAdjacentHTML: (where: string, html: string) => (inserted[where] = html) }),
        head: { append: (node: unknown) => head.push(node) },
        createElement: () => ({}),
      };
      new Function('document', source)(document);
      return { inserted, head };
    };
    const middle = run(script);
    expect(middle.inserted.afterbegin).toBe([a.pages[0], BLANK_SLOT].join('\n'));
    expect(middle.inserted.beforeend).toBe(c.pages[0]);
    // It had every rule already.
    expect(middle.head).toEqual([]);
    // The first chapter's page lacks the second's rule.
    const first = run(spliceScript(composed, 0, a));
    expect(first.inserted.afterbegin).toBe('');
    expect(first.inserted.beforeend).toBe([BLANK_SLOT, ...b.pages, c.pages[0]].join('\n'));
    expect(first.head).toEqual([{ textContent: 'r2' }]);
  });
});
