/**
 * rehype plugin: curly quotes, dashes and ellipses in text, following the
 * language of the nearest ancestor with `lang` (else the chapter language).
 *
 * Quote state runs across inline elements and restarts at every block, so
 * `"*word*"` pairs up but a stray quote cannot leak into the next paragraph.
 * Code, keyboard input, sample output and URL-like text (autolinks included)
 * are never touched.
 */
import type { Element, Root, Text } from 'hast';
import { toString } from 'hast-util-to-string';
import { isElement, stringProperty } from './hast-helpers.ts';
import { OPAQUE, looksLikeUrl, smartDashes, smartQuotes, type Segment } from './typography.ts';

export interface SmartPunctuationOptions {
  /** Language of the chapter (BCP 47). */
  lang: string;
}

/** Contents left exactly as written. */
const LITERAL = new Set(['code', 'pre', 'kbd', 'samp', 'var', 'script', 'style', 'math', 'svg', 'textarea']);

/** Elements that end one run of quote state and start another. */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'dd', 'details', 'div', 'dl', 'dt',
  'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li',
  'ol', 'p', 'pre', 'rp', 'rt', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th',
  'thead', 'tr', 'ul',
]);

interface Piece {
  node: Text | null;
  segment: Segment;
}

function isAutolink(node: Element): boolean {
  if (!isElement(node, 'a')) return false;
  const text = toString(node).trim();
  const href = stringProperty(node, 'href');
  return text === href || `mailto:${text}` === href || looksLikeUrl(text);
}

export default function rehypeSmartPunctuation(options: SmartPunctuationOptions) {
  return (tree: Root): undefined => {
    let run: Piece[] = [];

    const flush = () => {
      if (run.length === 0) return;
      const values = smartQuotes(run.map((piece) => piece.segment));
      run.forEach((piece, i) => {
        if (piece.node) piece.node.value = smartDashes(values[i]!, piece.segment.lang);
      });
      run = [];
    };
    const opaque = (value: string, lang: string) => run.push({ node: null, segment: { value, lang, frozen: true } });

    const walk = (parent: Root | Element, lang: string) => {
      for (const child of parent.children) {
        if (child.type === 'text') {
          run.push({ node: child, segment: { value: child.value, lang } });
          continue;
        }
        if (child.type !== 'element') continue;
        const tag = child.tagName;
        const block = BLOCKS.has(tag);
        if (block) flush();
        if (LITERAL.has(tag) || isAutolink(child) || tag === 'img' || tag === 'input') {
          if (!block) opaque(OPAQUE, lang);
        } else if (tag === 'br') {
          opaque(' ', lang);
        } else {
          walk(child, stringProperty(child, 'lang') || lang);
        }
        if (block) flush();
      }
    };

    walk(tree, options.lang);
    flush();
  };
}
