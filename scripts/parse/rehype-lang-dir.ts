/**
 * rehype plugin: make text direction explicit wherever `lang` changes it.
 *
 * An element whose `lang` is written right to left (or differs in direction
 * from its surroundings) and has no `dir` gets one. `dir` on an inline element
 * isolates it from the surrounding text (HTML's UA stylesheet gives `[dir]`
 * `unicode-bidi: isolate`), so a Uyghur name inside an English sentence cannot
 * reorder the punctuation around it. Invalid `dir` values are dropped.
 */
import type { Element, Root } from 'hast';
import { stringProperty } from './hast-helpers.ts';
import { directionOf } from './language.ts';

export interface LangDirOptions {
  /** Direction of the chapter, which the templates set on its container. */
  dir: 'ltr' | 'rtl';
}

type Direction = 'ltr' | 'rtl' | 'auto';

function explicitDir(node: Element): Direction | undefined {
  const dir = stringProperty(node, 'dir')?.trim().toLowerCase();
  if (dir === 'ltr' || dir === 'rtl' || dir === 'auto') {
    node.properties.dir = dir;
    return dir;
  }
  delete node.properties.dir;
  return undefined;
}

export default function rehypeLangDir(options: LangDirOptions) {
  return (tree: Root): undefined => {
    const walk = (parent: Root | Element, inherited: Direction) => {
      for (const child of parent.children) {
        if (child.type !== 'element') continue;
        let dir = explicitDir(child);
        const lang = stringProperty(child, 'lang')?.trim();
        if (!dir && lang) {
          const wanted = directionOf(lang);
          if (wanted === 'rtl' || wanted !== inherited) {
            child.properties.dir = wanted;
            dir = wanted;
          }
        }
        walk(child, dir ?? inherited);
      }
    };
    walk(tree, options.dir);
  };
}
