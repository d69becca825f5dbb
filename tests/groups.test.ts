import { describe, expect, it } from 'vitest';
import { groupChapters } from '../scripts/paginate/groups.ts';

const sizes = (groups: number[][]) => groups.map((g) => g.length);

describe('groupChapters', () => {
  it('groups short chapters into parts of about the target size', () => {
    const chapters = Array.from({ length: 10 }, () => 30);
    const groups = groupChapters(chapters, (c) => c, 100);
    expect(groups.flat()).toEqual(chapters);
    expect(sizes(groups)).toEqual([4, 3, 3]);
  });

  it('gives a chapter longer than the target a part of its own', () => {
    const groups = groupChapters([10, 500, 10, 10], (c) => c, 100);
    expect(groups).toEqual([[10, 500], [10, 10]]);
  });

  it('keeps the other parts when one chapter changes a little', () => {
    // Chapters of 9,000–13,000 characters, one of them edited by 60 characters.
    const before = Array.from({ length: 60 }, (_, i) => ({ id: i, size: 9000 + ((i * 7919) % 4000) }));
    const after = before.map((c) => (c.id === 5 ? { ...c, size: c.size + 60 } : c));
    const ids = (groups: Array<typeof before>) => groups.map((g) => g.map((c) => c.id).join(','));
    const a = ids(groupChapters(before, (c) => c.size, 60_000));
    const b = ids(groupChapters(after, (c) => c.size, 60_000));
    expect(a.length).toBeGreaterThan(8);
    expect(b).toEqual(a);
  });

  it('moves a boundary only near where the positions cross a grid line', () => {
    const before = [60, 30, 30, 30, 30, 30, 30, 30];
    const after = [60, 45, 30, 30, 30, 30, 30, 30];
    // Ends before: 60 90 120|150 180 210|240 ; after: 60 105| 135 165 195 225| 255
    expect(groupChapters(before, (c) => c, 100).map((g) => g.length)).toEqual([3, 3, 2]);
    expect(groupChapters(after, (c) => c, 100).map((g) => g.length)).toEqual([2, 4, 2]);
  });

  it('returns no groups for no chapters', () => {
    expect(groupChapters([], () => 1)).toEqual([]);
  });
});
