/**
 * rehype plugin: figures. An image alone in its paragraph, or any image with
 * a title, becomes `<figure><img><figcaption>`; the caption is the title, else
 * the alt text (an empty alt stays empty and gives no caption). A titled image
 * inside running text splits its paragraph, because a figure cannot sit
 * inside a `<p>`.
 */
import type { Element, ElementContent, Root } from 'hast';
import { isElement, isWhitespace, stringProperty } from './hast-helpers.ts';

function toFigure(img: Element): Element {
  const title = stringProperty(img, 'title')?.trim();
  const caption = title || stringProperty(img, 'alt')?.trim() || '';
  // The title moves into the caption; keeping it would repeat it as a tooltip.
  delete img.properties.title;
  const children: ElementContent[] = [img];
  if (caption) children.push({ type: 'element', tagName: 'figcaption', properties: {}, children: [{ type: 'text', value: caption }] });
  return { type: 'element', tagName: 'figure', properties: {}, children, position: img.position };
}

function hasTitle(node: ElementContent): node is Element {
  return isElement(node, 'img') && Boolean(stringProperty(node, 'title')?.trim());
}

/** The replacement for a paragraph, or undefined to leave it alone. */
function figuresFor(p: Element): Element[] | undefined {
  const significant = p.children.filter((child) => !isWhitespace(child));
  if (significant.length === 1 && isElement(significant[0], 'img')) return [toFigure(significant[0])];
  if (!p.children.some(hasTitle)) return undefined;

  const out: Element[] = [];
  let pending: ElementContent[] = [];
  const flush = () => {
    if (pending.some((child) => !isWhitespace(child))) {
      out.push({ type: 'element', tagName: 'p', properties: { ...p.properties }, children: trim(pending) });
    }
    pending = [];
  };
  for (const child of p.children) {
    if (hasTitle(child)) {
      flush();
      out.push(toFigure(child));
    } else {
      pending.push(child);
    }
  }
  flush();
  return out;
}

/** Drop the spaces and line breaks left at the edges of a split paragraph. */
function trim(children: ElementContent[]): ElementContent[] {
  const out = [...children];
  const first = out[0];
  if (first?.type === 'text') out[0] = { ...first, value: first.value.replace(/^\s+/, '') };
  const last = out[out.length - 1];
  if (last?.type === 'text') out[out.length - 1] = { ...last, value: last.value.replace(/\s+$/, '') };
  return out.filter((child) => child.type !== 'text' || child.value !== '');
}

export default function rehypeFigures() {
  return (tree: Root): undefined => {
    const walk = (parent: Root | Element) => {
      for (let i = 0; i < parent.children.length; i++) {
        const child = parent.children[i]!;
        if (child.type !== 'element') continue;
        const replacement = child.tagName === 'p' ? figuresFor(child) : undefined;
        if (replacement) {
          parent.children.splice(i, 1, ...replacement);
          i += replacement.length - 1;
        } else {
          walk(child);
        }
      }
    };
    walk(tree);
  };
}
