import { describe, expect, it } from 'vitest';
import { idOwners, planChunks, setAside } from '../scripts/paginate/chunks.ts';
import fs from 'node:fs';
import path from 'node:path';
import { joinParts, linksForward, mergeMaps } from '../scripts/paginate/parts.ts';
import { tempDir } from './helpers/build.ts';
import type { PageMap, SerializedPart } from '../scripts/paginate/paginate.ts';

/** A serialized part as Paged.js leaves it: pages with classes, ids and links. */
function part(pages: Array<{ opening?: boolean; ids?: string[]; links?: string[] }>): SerializedPart {
  return {
    rules: ['p { margin: 0; }'],
    pages: pages.map(
      (p, i) =>
        `<div class="pagedjs_page${p.opening ? ' pagedjs_opening_first_page' : ''}" id="page-${i + 1}"><div class="pagedjs_page_content">` +
        (p.ids ?? []).map((id) => `<h1 id="${id}">x</h1>`).join('') +
        (p.links ?? []).map((id) => `<a class="toc-link" href="#${encodeURIComponent(id)}">y</a>`).join('') +
        '</div></div>',
    ),
    htmlStyle: '',
    lang: 'en',
    title: 'T',
    bodyClass: 'layout-book edition-print',
    pagesStyle: '',
  };
}

const front = part([{}, {}, { links: ['ch-1', 'ch-2', 'ch-3'] }]);
const ch = (n: number, pages: number) => part(Array.from({ length: pages }, (_, i) => (i === 0 ? { opening: n === 1, ids: [`ch-${n}`] } : {})));

describe('setAside', () => {
  it('keeps a printed part the same to every reader, its pages deflated', () => {
    const build = () => [front, ch(1, 5), ch(2, 4), ch(3, 2)].map((p) => ({ ...p, pages: p.pages.map((page) => page.replace('</div></div>', '“Curly” quotes — and a dash.</div></div>')) }));
    const kept = build();
    const parts = build();
    const before = planChunks(parts, 1, { more: true });
    const html = joinParts(parts);
    parts.slice(0, 3).forEach(setAside);
    // Set aside twice: the same.
    setAside(parts[0]);
    // The pages' strings are no longer held by the part.
    expect(Object.getOwnPropertyDescriptor(parts[1], 'pages')?.value).toBeUndefined();
    const plan = (list: SerializedPart[]) => planChunks(list, 1, { more: true }).map(({ parts: _parts, ...rest }) => rest);
    expect(plan(parts)).toEqual(plan(kept));
    expect(planChunks(parts, 1, { more: true }).map((c) => c.parts)).toEqual(before.map((c) => c.parts));
    expect(joinParts(parts)).toBe(html);
    expect(parts.map((p) => p.pages)).toEqual(kept.map((p) => p.pages));
    expect(JSON.parse(JSON.stringify(parts))).toEqual(kept);
    expect({ ...parts[2] }).toEqual(kept[2]);
  });
});

describe('planChunks', () => {
  it('keeps a short book in one chunk', () => {
    const chunks = planChunks([front, ch(1, 4), ch(2, 3)], 300);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].targets).toEqual({});
  });

  it('cuts at part boundaries and numbers every page as one book', () => {
    const parts = [front, ch(1, 5), ch(2, 4), ch(3, 2)];
    const chunks = planChunks(parts, 7);
    expect(chunks.map((c) => c.parts.length)).toEqual([1, 1, 2]);
    // Front matter 3 pages + a blank; chapter 1 five pages + a blank; chapters 2 and 3.
    expect(chunks.map((c) => [c.offset, c.pageCount, c.trailingBlank])).toEqual([
      [0, 4, true],
      [4, 6, true],
      [10, 6, false],
    ]);
    const folios = chunks.flatMap((c) => c.folios);
    expect(folios.slice(0, 4)).toEqual(['i', 'ii', 'iii', 'iv']);
    expect(folios.slice(4, 10)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(folios[10]).toBe('7');
    // The contents (chunk 1) learns where chapters in the other chunks begin.
    expect(chunks[0].targets).toEqual({ 'ch-1': '1', 'ch-2': '7', 'ch-3': '11' });
    expect(idOwners(chunks).get('ch-3')).toEqual({ chunk: 2, page: 14 });
  });

  it('puts the blank verso that ends a chunk into its joined document', () => {
    const chunks = planChunks([front, ch(1, 5), ch(2, 4)], 6);
    const html = joinParts(chunks[0].parts, { trailingBlank: chunks[0].trailingBlank });
    expect(html.match(/colophon-blank-slot/g)).toHaveLength(1);
  });
});

describe('mergeMaps', () => {
  it('counts pages from the start of the book', () => {
    const chunks = planChunks([front, ch(1, 5), ch(2, 4)], 6);
    const map = (pages: number, chapter: string): PageMap => ({
      pageCount: pages,
      pageStarts: Array(pages).fill(null),
      notesAway: [],
      lonelyLines: [{ ref: 'r', page: 1, where: 'foot' }],
      folios: Array(pages).fill('x'),
      width: 100,
      height: 200,
      bleed: 0,
      chapterStarts: { [chapter]: 1 },
      outline: [{ title: chapter, page: 0, top: 0, children: [{ title: 's', page: 1, top: 5, children: [] }] }],
    });
    const merged = mergeMaps([map(4, 'front'), map(6, 'ch-1'), map(4, 'ch-2')], chunks);
    expect(merged.pageCount).toBe(14);
    expect(merged.chapterStarts).toEqual({ front: 1, 'ch-1': 5, 'ch-2': 11 });
    expect(merged.outline.map((o) => [o.page, o.children[0].page])).toEqual([[0, 1], [4, 5], [10, 11]]);
    expect(merged.lonelyLines.map((l) => l.page)).toEqual([1, 5, 11]);
  });
});

describe('linksForward', () => {
  it('finds the parts that must wait for a later part to know their page numbers', () => {
    const dir = tempDir();
    const html = ['<nav><a href="#ch-1">1</a> <a href="#ch-2">2</a></nav>', '<h1 id="ch-1">One</h1><a href="#ch-1">self</a> <a href="#ch-2%20b">on</a>', '<h1 id="ch-2 b">Two</h1><a href="#ch-1">back</a> <a href="#nowhere">x</a>'];
    const parts = html.map((body, i) => {
      const htmlFile = path.join(dir, `part-${i}.html`);
      fs.writeFileSync(htmlFile, `<!DOCTYPE html><html><body>${body}</body></html>`);
      return { id: `p${i}`, htmlFile, label: `part ${i}` };
    });
    // The contents and a cross-reference forward wait; a link back or to nothing does not.
    expect(linksForward(parts)).toEqual([true, true, false]);
  });
});
