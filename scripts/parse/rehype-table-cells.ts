/**
 * rehype plugin: accessible, valid table cells. Header cells in `thead` get
 * `scope="col"`; the obsolete `align` attribute (GFM column alignment) becomes
 * a class `align-left|center|right` for the theme to style, since EPUBCheck
 * rejects `align` and inline styles would need a looser CSP on the web.
 */
import type { Root } from 'hast';
import { elements, isElement } from './hast-helpers.ts';

const ALIGNMENTS = new Set(['left', 'center', 'right', 'justify']);

export default function rehypeTableCells() {
  return (tree: Root): undefined => {
    for (const [node, ancestors] of elements(tree)) {
      if (!isElement(node, 'td', 'th')) continue;
      if (node.tagName === 'th' && node.properties.scope === undefined && ancestors.some((a) => a.tagName === 'thead')) {
        node.properties.scope = 'col';
      }
      const align = node.properties.align;
      delete node.properties.align;
      if (typeof align === 'string' && ALIGNMENTS.has(align.toLowerCase())) {
        const classes = Array.isArray(node.properties.className) ? node.properties.className : [];
        node.properties.className = [...classes, `align-${align.toLowerCase()}`];
      }
    }
  };
}
