import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * Labels the links back from each note in the chapter's language ("Назад к
 * ссылке 1"), so a screen reader does not switch to English in the middle
 * of a Russian chapter.
 */
export function localiseNoteLinks(tree: Root, strings: Record<string, string>): Root {
  const template = strings.backToReference;
  if (!template) return tree;
  visit(tree, 'element', (el: Element) => {
    if (el.tagName !== 'a' || el.properties.dataFootnoteBackref === undefined) return;
    const label = String(el.properties.ariaLabel ?? '');
    const n = /(\d+(?:-\d+)?)\s*$/.exec(label)?.[1] ?? "";
    el.properties.ariaLabel = template.replace('{n}', n).trim();
  });
  return tree;
}

