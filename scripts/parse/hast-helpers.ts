/** Tiny hast helpers shared by the parse plugins and the editions. */
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

/**
 * A copy of a tree that its holder may change (each edition changes its own
 * copy of a parsed chapter): every node and properties object is new, and so
 * is every property's list. Positions, which nothing changes after parsing,
 * are shared. structuredClone copied those as well and took ten times as long
 * (the novel's chapters: about 20 ms against 2, three times a build).
 */
export function cloneTree<T extends Nodes>(node: T): T {
  const copy = { ...node };
  if (node.data) copy.data = { ...node.data };
  if ('properties' in copy) {
    const properties: Element['properties'] = {};
    for (const [key, value] of Object.entries(copy.properties)) properties[key] = Array.isArray(value) ? [...value] : value;
    copy.properties = properties;
  }
  if ('children' in copy) copy.children = copy.children.map((child) => cloneTree(child)) as typeof copy.children;
  return copy;
}
