/**
 * In print and on the web a book is one document, so `#id` reaches any
 * chapter. In an EPUB each chapter is its own file: links into another
 * chapter must name that file. Links to ids that exist nowhere are reported
 * and turned into plain text, since EPUB readers cannot follow them.
 */
import type { Root, Element } from 'hast';
import { visit } from 'unist-util-visit';
import type { Diagnostic } from '../diagnostics.ts';
import type { ParsedChapter } from '../model.ts';

export function chapterOfIds(chapters: ParsedChapter[]): Map<string, string> {
  const owner = new Map<string, string>();
  for (const ch of chapters) {
    owner.set(ch.id, ch.id);
    owner.set(`${ch.id}-title`, ch.id);
    visit(ch.tree, 'element', (node: Element) => {
      const id = node.properties?.id;
      if (typeof id === 'string') owner.set(id, ch.id);
    });
  }
  return owner;
}

export function resolveEpubLinks(
  tree: Root,
  chapter: ParsedChapter,
  owner: Map<string, string>,
  fileOf: (chapterId: string) => string,
  report: (d: Diagnostic) => void,
  displayPath: (abs: string) => string,
): Root {
  visit(tree, 'element', (node: Element) => {
    const href = node.properties?.href;
    if (node.tagName !== 'a' || typeof href !== 'string' || !href.startsWith('#')) return;
    const id = decodeURIComponent(href.slice(1));
    const target = owner.get(id);
    if (target === undefined) {
      report({
        severity: 'warning',
        code: 'LINK_TARGET_MISSING',
        message: `The link to "#${id}" points at no heading or element in the book.`,
        file: displayPath(chapter.source.file),
        line: node.position ? node.position.start.line + chapter.source.bodyStartLine - 1 : undefined,
        hint: 'Heading ids are the chapter id and the heading text in lower case with hyphens, e.g. #ch-03-trim-and-bleed.',
      });
      node.tagName = 'span';
      delete node.properties.href;
    } else if (target !== chapter.id) {
      node.properties.href = target === id ? fileOf(target) : `${fileOf(target)}#${id}`;
    }
  });
  return tree;
}
