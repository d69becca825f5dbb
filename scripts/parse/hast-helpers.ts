/** Tiny hast helpers shared by the parse plugins. */
import type { Element, ElementContent, Nodes, Root } from 'hast';

export function isElement(node: Nodes | undefined, ...tagNames: string[]): node is Element {
  return node?.type === 'element' && (tagNames.length === 0 || tagNames.includes(node.tagName));
}

export function stringProperty(node: Element, name: string): string | undefined {
  const value = node.properties[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whitespace-only text: insignificant between block elements. */
export function isWhitespace(node: Nodes): boolean {
  return node.type === 'text' && node.value.trim() === '';
}

export function isHeading(node: Nodes | undefined): node is Element {
  return isElement(node) && /^h[1-6]$/.test(node.tagName);
}

export function headingDepth(node: Element): number {
  return Number(node.tagName.slice(1));
}

/** Every element in document order with its ancestors (outermost first). */
export function* elements(tree: Root | Element, ancestors: Element[] = []): Generator<[Element, Element[]]> {
  for (const child of tree.children as Array<Root['children'][number] | ElementContent>) {
    if (child.type !== 'element') continue;
    yield [child, ancestors];
    yield* elements(child, [...ancestors, child]);
  }
}
