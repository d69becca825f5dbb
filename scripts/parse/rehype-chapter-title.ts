/**
 * rehype plugin: take the chapter title from a heading that opens the chapter.
 *
 * Without a front-matter title, a heading that is the first thing in the body
 * (any level) is the title and is removed, since the templates print the title
 * themselves. With a front-matter title, an opening heading that repeats it
 * word for word is removed too, so the title is not printed twice.
 */
import type { Root } from 'hast';
import { toString } from 'hast-util-to-string';
import { isHeading, isWhitespace } from './hast-helpers.ts';

export interface ChapterTitleOptions {
  /** Title from the front matter, if any. */
  explicitTitle?: string;
  /** Receives the title found in the body. */
  result: { title?: string };
}

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

export default function rehypeChapterTitle(options: ChapterTitleOptions) {
  return (tree: Root): undefined => {
    const index = tree.children.findIndex((child) => !isWhitespace(child));
    const first = tree.children[index];
    if (!isHeading(first)) return;
    const text = normalise(toString(first));
    if (text === '') return;
    if (options.explicitTitle !== undefined && text !== normalise(options.explicitTitle)) return;
    let end = index + 1;
    while (end < tree.children.length && isWhitespace(tree.children[end]!)) end++;
    tree.children.splice(index, end - index);
    if (options.explicitTitle === undefined) options.result.title = text;
  };
}
