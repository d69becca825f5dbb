/**
 * Serialises a hast tree as XHTML for EPUB content documents. hast-util-to-html
 * writes HTML, so boolean attributes are given explicit values first (XML
 * has no attribute minimisation).
 */
import { toHtml } from 'hast-util-to-html';
import { visit } from 'unist-util-visit';
import type { Root, Element } from 'hast';
import { cloneTree } from '../parse/hast-helpers.ts';

export function toXhtml(tree: Root): string {
  const copy = cloneTree(tree);
  visit(copy, 'element', (node: Element) => {
    for (const [key, value] of Object.entries(node.properties ?? {})) {
      if (value === true) node.properties[key] = key.startsWith('data') || key.startsWith('aria') ? '' : `${MARK}${key.toLowerCase()}${MARK}`;
    }
  });
  // hast-util-to-html minimises an HTML boolean attribute whose value is its own name (`open`); a
  // marked value survives serialisation and is then unmarked into `open="open"`.
  return serialise(copy).replace(MARKED, '="$1"');
}

const MARK = '\uE000';
const MARKED = /="\uE000([a-z]+)\uE000"/g;

function serialise(copy: Root): string {
  return toHtml(copy, {
    space: 'html',
    closeSelfClosing: true,
    tightSelfClosing: false,
    collapseEmptyAttributes: false,
    allowDangerousHtml: false,
    characterReferences: { useNamedReferences: false },
  });
}

/** Escape text for XML element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
