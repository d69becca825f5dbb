/**
 * rehype plugin: ids for headings, unique across the whole book, and the list
 * of sections for the contents.
 *
 * An id is the chapter prefix plus a GitHub-style slug of the heading text
 * (`ch-03-the-river`); a clash with any id already in the chapter adds -1, -2…
 * in document order, so ids are deterministic. Headings that already carry an
 * id (from raw HTML, already prefixed by the sanitiser) keep it. The footnotes'
 * own heading is not a section.
 */
import type { Root } from 'hast';
import { slug } from 'github-slugger';
import { toString } from 'hast-util-to-string';
import type { Heading } from '../model.ts';
import { elements, headingDepth, isHeading, stringProperty } from './hast-helpers.ts';

export interface HeadingIdsOptions {
  /** e.g. "ch-03-" */
  prefix: string;
  /** Receives headings of depth 2–6 in document order. */
  headings: Heading[];
}

export default function rehypeHeadingIds(options: HeadingIdsOptions) {
  return (tree: Root): undefined => {
    const used = new Set<string>();
    for (const [node] of elements(tree)) {
      const id = stringProperty(node, 'id');
      if (id) used.add(id);
    }

    for (const [node, ancestors] of elements(tree)) {
      if (!isHeading(node)) continue;
      if (ancestors.some((a) => a.properties.dataFootnotes !== undefined)) continue;
      const text = toString(node).replace(/\s+/g, ' ').trim();
      let id = stringProperty(node, 'id');
      if (!id) {
        const base = options.prefix + (slug(text) || 'section');
        id = base;
        for (let n = 1; used.has(id); n++) id = `${base}-${n}`;
        used.add(id);
        node.properties.id = id;
      }
      const depth = headingDepth(node);
      if (depth >= 2) options.headings.push({ id, depth, text });
    }
  };
}
