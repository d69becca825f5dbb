/**
 * A chapter's printed pages, kept apart in its part's PDF: the key they are
 * found by again, and the page map of their slice of the part.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pieceSpans, printedPieceKey, readPrintedPiece, sliceMap, writePrintedPiece } from '../scripts/paginate/printed-pieces.ts';
import { mergeMaps } from '../scripts/paginate/parts.ts';
import type { PageMap, SerializedPart } from '../scripts/paginate/paginate.ts';
import type { Finishing } from '../scripts/paginate/chunks.ts';
import { tempDir } from './helpers/build.ts';

const ID_A = '0a1b2c3d-0000-4000-8000-00000000000a';
const ID_B = '0a1b2c3d-0000-4000-8000-00000000000b';
const ID_OTHER = '0a1b2c3d-0000-4000-8000-0000000000ff';
const rule = (id: string, indent = '0px') => `[data-following*="following-${id}"] { text-indent: ${indent}; }`;

const piece = (rules: string[], pages = [`<p data-ref="${ID_A}">one</p>`, `<p data-ref="${ID_B}" data-split-from="${ID_A}">two</p>`]): SerializedPart => ({
  rules,
  pages,
  htmlStyle: '',
  lang: 'en',
  title: 'T',
  bodyClass: 'layout-book',
  pagesStyle: '',
});
const finishing: Finishing = { offset: 4, folios: ['5', '6'], targets: { 'ch-9': '40' } };
const same = (s: string) => s;
const key = (p: SerializedPart, f = finishing, pages = 2) => printedPieceKey('shared', p, f, pages, same);

describe('printed pieces', () => {
  it('keys a chapter’s printed pages the same whether it was laid out in its part or alone', () => {
    const alone = key(piece(['p { margin: 0; }', rule(ID_A)]));
    // In its part: the other chapters' layout rules, rules written again for each page, the stylesheets' rules as the worker's page kept them.
    expect(key(piece(['p { margin: 0; }', '.toc-text { flex: 0 1 auto; }', rule(ID_A), rule(ID_OTHER), rule(ID_A)]))).toBe(alone);
  });

  it('keys them apart when anything that shapes them differs', () => {
    const base = key(piece([rule(ID_A)]));
    // Its own layout rules, its pages, its numbers, its page count (a blank verso after it), the build's layout inputs.
    expect(key(piece([rule(ID_A, '1.2em')]))).not.toBe(base);
    expect(key(piece([rule(ID_A), rule(ID_B)]))).not.toBe(base);
    expect(key(piece([rule(ID_A)], [`<p data-ref="${ID_A}">one</p>`, `<p data-ref="${ID_B}">two, edited</p>`]))).not.toBe(base);
    expect(key(piece([rule(ID_A)]), { ...finishing, folios: ['7', '8'] })).not.toBe(base);
    expect(key(piece([rule(ID_A)]), { ...finishing, targets: { 'ch-9': '41' } })).not.toBe(base);
    expect(key(piece([rule(ID_A)]), finishing, 3)).not.toBe(base);
    expect(printedPieceKey('other', piece([rule(ID_A)]), finishing, 2, same)).not.toBe(base);
    // The work folder does not count once normalised away.
    const inFolder = (dir: string) => piece([rule(ID_A)], [`<img src="file://${dir}/a.png" data-ref="${ID_A}">`, `<p data-ref="${ID_B}">two</p>`]);
    const normalise = (dir: string) => (html: string) => html.split(dir).join('DIR');
    expect(printedPieceKey('s', inFolder('/tmp/w1'), finishing, 2, normalise('/tmp/w1'))).toBe(printedPieceKey('s', inFolder('/tmp/w2'), finishing, 2, normalise('/tmp/w2')));
  });

  it('gives each chapter its pages up to the next chapter’s, a blank verso between them included', () => {
    expect(pieceSpans([0, 4, 7], 10)).toEqual([
      { from: 0, to: 4 },
      { from: 4, to: 7 },
      { from: 7, to: 10 },
    ]);
  });

  it('slices a part’s page map into its chapters’ maps, which merge back into it', () => {
    const map: PageMap = {
      pageCount: 6,
      pageStarts: [0, 1, 2, 3, 4, 5].map((n) => ({ pos: String(n), continued: n % 2 === 1, text: `t${n}` })),
      notesAway: [{ id: 'n1', callPage: 4, notePage: 5 }],
      lonelyLines: [{ ref: 'r', page: 1, where: 'foot' }],
      folios: ['1', '2', '3', '', '5', '6'],
      width: 600,
      height: 800,
      bleed: 0,
      chapterStarts: { a: 1, b: 5 },
      outline: [
        { title: 'A', page: 0, top: 10, children: [{ title: 'A.1', page: 2, top: 300, children: [] }] },
        { title: 'B', page: 4, top: 10, children: [] },
      ],
    };
    const a = sliceMap(map, 0, 4);
    const b = sliceMap(map, 4, 6);
    expect(a.pageCount).toBe(4);
    expect(b.pageStarts.map((s) => s?.pos)).toEqual(['4', '5']);
    expect(b.folios).toEqual(['5', '6']);
    expect(b.notesAway).toEqual([{ id: 'n1', callPage: 0, notePage: 1 }]);
    expect(a.lonelyLines).toEqual([{ ref: 'r', page: 1, where: 'foot' }]);
    expect(b.lonelyLines).toEqual([]);
    expect(a.chapterStarts).toEqual({ a: 1 });
    expect(b.chapterStarts).toEqual({ b: 1 });
    expect(b.outline).toEqual([{ title: 'B', page: 0, top: 10, children: [] }]);
    expect(mergeMaps([a, b], [{ offset: 0 }, { offset: 4 }])).toEqual(map);
  });

  it('finds a piece’s entry and the bytes of its PDF, read once for the pieces that share it, and nothing when either is gone', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'part.printed.pdf'), Buffer.from('%PDF-1.7 stand-in'));
    const map = sliceMap({ pageCount: 1, pageStarts: [null], notesAway: [], lonelyLines: [], folios: ['1'], width: 1, height: 1, bleed: 0, chapterStarts: {}, outline: [] }, 0, 1);
    writePrintedPiece(dir, 'k1', { printed: 'part.printed', from: 0, to: 1, map });
    writePrintedPiece(dir, 'k2', { printed: 'part.printed', from: 1, to: 2, map });
    writePrintedPiece(dir, 'k3', { printed: 'gone.printed', from: 0, to: 1, map });
    const files = new Map<string, Uint8Array>();
    const one = readPrintedPiece(dir, 'k1', files)!;
    const two = readPrintedPiece(dir, 'k2', files)!;
    expect([one.from, one.to, two.from, two.to]).toEqual([0, 1, 1, 2]);
    expect(two.bytes).toBe(one.bytes);
    expect(Buffer.from(one.bytes).toString()).toBe('%PDF-1.7 stand-in');
    expect(readPrintedPiece(dir, 'k3', files)).toBeUndefined();
    expect(readPrintedPiece(dir, 'missing', files)).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'k1.piece.json'), '{not json');
    expect(readPrintedPiece(dir, 'k1', new Map())).toBeUndefined();
  });
});
