/**
 * Print-only changes to a chapter's tree: notes move to the foot of the page
 * where they are referenced, and internal links are marked so that the print
 * edition can show the page they point to.
 */
import type { Element, ElementContent, Root } from 'hast';
import { visit, SKIP } from 'unist-util-visit';

/**
 * GFM footnotes arrive as a list at the end of the chapter. For paged output
 * each note becomes an inline `span.footnote` placed right after its call;
 * Paged.js floats it to the page's footnote area (`float: footnote`). The
 * call is our own `sup.note-call` with the chapter's own number, because
 * Paged.js numbers notes continuously through the book and ignores
 * `counter-reset: footnote`.
 */
export function footnotesToPageNotes(tree: Root): Root {
  const notes = new Map<string, { number: string; content: ElementContent[] }>();
  let section: Element | undefined;
  visit(tree, 'element', (node: Element) => {
    if (node.tagName === 'section' && node.properties?.dataFootnotes !== undefined) {
      section = node;
      visit(node, 'element', (li: Element) => {
        if (li.tagName !== 'li' || typeof li.properties?.id !== 'string') return;
        notes.set(li.properties.id, { number: '', content: inlineNote(li) });
      });
      return SKIP;
    }
  });
  if (!section) return tree;
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName !== 'sup' || !parent || index === undefined) return;
    const link = node.children.find((c): c is Element => c.type === 'element' && c.tagName === 'a');
    const href = link?.properties?.href;
    if (!link || typeof href !== 'string' || link.properties.dataFootnoteRef === undefined) return;
    const note = notes.get(href.slice(1));
    if (!note) return;
    const number = textOf(link);
    const call: Element = {
      type: 'element',
      tagName: 'sup',
      properties: { className: ['note-call'], id: link.properties.id },
      children: [{ type: 'text', value: number }],
    };
    const span: Element = {
      type: 'element',
      tagName: 'span',
      properties: { className: ['footnote'], dataNoteNumber: number, id: href.slice(1) },
      children: note.content,
    };
    parent.children.splice(index, 1, call, span);
    return [SKIP, index + 2];
  });
  const container = findParent(tree, section);
  if (container) container.children.splice(container.children.indexOf(section), 1);
  return tree;
}

/** The note's paragraphs as inline content, without the back link. */
function inlineNote(li: Element): ElementContent[] {
  const out: ElementContent[] = [];
  for (const child of li.children) {
    if (child.type !== 'element') continue;
    const inner = child.tagName === 'p' ? child.children : [child];
    if (out.length) out.push({ type: 'element', tagName: 'br', properties: {}, children: [] });
    for (const c of inner) {
      if (c.type === 'element' && c.tagName === 'a' && c.properties?.dataFootnoteBackref !== undefined) continue;
      out.push(c);
    }
  }
  while (out.length && out[out.length - 1].type === 'text' && !(out[out.length - 1] as { value: string }).value.trim()) out.pop();
  return out;
}

/** Links to places inside the book (not notes) get class `xref`: print shows their page. */
export function markCrossReferences(tree: Root, seeWord: string): Root {
  visit(tree, 'element', (node: Element) => {
    const href = node.properties?.href;
    if (node.tagName !== 'a' || typeof href !== 'string' || !href.startsWith('#')) return;
    if (node.properties.dataFootnoteRef !== undefined || node.properties.dataFootnoteBackref !== undefined) return;
    const cls = Array.isArray(node.properties.className) ? node.properties.className : [];
    node.properties.className = [...cls, 'xref'];
    node.properties.dataSee = seeWord;
    node.properties.dataPage = '000';
  });
  return tree;
}

function textOf(node: Element): string {
  let s = '';
  visit(node, 'text', (t) => {
    s += t.value;
  });
  return s;
}

function findParent(tree: Root, target: Element): Root | Element | undefined {
  let found: Root | Element | undefined;
  visit(tree, (node, _i, parent) => {
    if (node === target) found = (parent as Root | Element | undefined) ?? undefined;
  });
  return found;
}

const POSITIONED = new Set(['p', 'li', 'h2', 'h3', 'h4', 'h5', 'h6', 'figure', 'table', 'pre', 'dd', 'dt', 'hr']);

/**
 * Numbers the chapter's blocks in document order (`data-pos="ch-03.17"`), so
 * that a place found in the paginated print edition can be found again in
 * the EPUB, which is made from the same tree: print page breaks become EPUB
 * page-break markers there.
 */
export function markBlockPositions(tree: Root, chapterId: string): Root {
  let n = 0;
  visit(tree, 'element', (node: Element) => {
    if (POSITIONED.has(node.tagName)) node.properties.dataPos = `${chapterId}.${++n}`;
  });
  return tree;
}
