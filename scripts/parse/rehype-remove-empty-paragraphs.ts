/**
 * rehype plugin: drop paragraphs that sanitising left empty (a line that held
 * only an `<object>` or `<picture>`, say), so they add no blank space.
 */
import type { Element, Root } from 'hast';
import { isElement, isWhitespace } from './hast-helpers.ts';

export default function rehypeRemoveEmptyParagraphs() {
  return (tree: Root): undefined => {
    const walk = (parent: Root | Element) => {
      parent.children = parent.children.filter(
        (child) => !(isElement(child, 'p') && child.children.every(isWhitespace)),
      ) as typeof parent.children;
      for (const child of parent.children) if (child.type === 'element') walk(child);
    };
    walk(tree);
  };
}
