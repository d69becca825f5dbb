/**
 * Which chapters are laid out together. Every part pays a fixed cost in the
 * browser (a new page, the Paged.js bundle, its parsing of the stylesheets),
 * about a second here, while a novel's chapter is laid out in a fraction of
 * that; so consecutive chapters are grouped into parts of roughly `target`
 * characters of HTML.
 *
 * The boundaries sit on a fixed grid over the book: a part ends with the
 * chapter whose end passes the next multiple of `target`. Editing a chapter
 * moves the positions after it by the size of the edit, which moves a boundary
 * only where a chapter end crosses a grid line, so the other parts keep their
 * HTML and stay in the cache (grouping greedily from the start would shift
 * every later part).
 */
export const DEFAULT_PART_SIZE = 120_000;

export function groupChapters<T>(chapters: T[], size: (chapter: T) => number, target = DEFAULT_PART_SIZE): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let position = 0;
  for (const chapter of chapters) {
    const start = position;
    position += Math.max(0, size(chapter));
    current.push(chapter);
    if (Math.floor(position / target) > Math.floor(start / target)) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length) groups.push(current);
  return groups;
}
