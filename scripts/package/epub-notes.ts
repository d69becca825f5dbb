/**
 * Footnotes for reading systems. GFM footnotes arrive as
 * `<section data-footnotes><h2>Notes</h2><ol><li id=…>…</li></ol></section>`
 * and calls as `<sup><a data-footnote-ref href="#…">1</a></sup>`. Kobo, Apple
 * Books and others show a note as a pop-up when the call is a `noteref` link
 * to an `<aside epub:type="footnote">`; so each list item becomes such an
 * aside (numbered, with its back link), under the chapter's notes heading.
 */
import type { Element, ElementContent, Root } from 'hast';
import { visit, SKIP } from 'unist-util-visit';

export function footnotesToAsides(tree: Root): Root {
  const numbers = new Map<string, string>();
  visit(tree, 'element', (node: Element) => {
    if (node.tagName !== 'a' || node.properties?.dataFootnoteRef === undefined) return;
    const href = node.properties.href;
    if (typeof href !== 'string') return;
    node.properties['epub:type'] = 'noteref';
    node.properties.role = 'doc-noteref';
    numbers.set(href.slice(1), textOf(node));
  });
  visit(tree, 'element', (node: Element) => {
    if (node.tagName !== 'section' || node.properties?.dataFootnotes === undefined) return;
    const items: Element[] = [];
    visit(node, 'element', (li: Element) => {
      if (li.tagName === 'li' && typeof li.properties?.id === 'string') {
        items.push(li);
        return SKIP;
      }
    });
    const heading = node.children.find((c): c is Element => c.type === 'element' && /^h[1-6]$/.test(c.tagName));
    const asides = items.map((li) => toAside(li, numbers.get(li.properties.id as string)));
    node.children = [...(heading ? [heading, nl()] : []), ...asides.flatMap((a) => [a, nl()])];
    // The heading names the group; "endnotes" would make some readers treat the notes as a separate section.
    if (heading && typeof heading.properties?.id === 'string') node.properties.ariaLabelledBy = [heading.properties.id];
    return SKIP;
  });
  return tree;
}

function toAside(li: Element, number: string | undefined): Element {
  const children = li.children.filter((c) => !(c.type === 'text' && !c.value.trim()));
  for (const c of children) {
    if (c.type !== 'element') continue;
    visit(c, 'element', (a: Element) => {
      if (a.tagName === 'a' && a.properties?.dataFootnoteBackref !== undefined) a.properties.role = 'doc-backlink';
    });
  }
  // The number leads the note's first paragraph, as in print.
  const label: Element = {
    type: 'element',
    tagName: 'span',
    properties: { className: ['note-number'] },
    children: [{ type: 'text', value: `${number ?? ''}. ` }],
  };
  const first = children[0];
  if (number && first && first.type === 'element' && first.tagName === 'p') first.children.unshift(label);
  else if (number) children.unshift({ type: 'element', tagName: 'p', properties: {}, children: [label] });
  const props: Element['properties'] = { 'epub:type': 'footnote', role: 'doc-footnote', id: li.properties.id, className: ['footnote'] };
  if (typeof li.properties.dataPos === 'string') props.dataPos = li.properties.dataPos;
  return { type: 'element', tagName: 'aside', properties: props, children: children as ElementContent[] };
}

function nl(): ElementContent {
  return { type: 'text', value: '\n' };
}

function textOf(node: Element): string {
  let s = '';
  visit(node, 'text', (t) => {
    s += t.value;
  });
  return s;
}
