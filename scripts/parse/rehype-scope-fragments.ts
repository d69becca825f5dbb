/**
 * rehype plugin: keep same-chapter links working after ids were prefixed.
 *
 * The sanitiser prefixes every id with the chapter's prefix (footnotes' `fn-1`
 * becomes `ch-03-fn-1`, a user's `<span id="map">` becomes `ch-03-map`) and
 * headings get prefixed ids, but links keep `#fn-1`, `#map`, `#the-river`.
 * A fragment that names no id in the chapter but does once prefixed is
 * rewritten; others (links to other chapters, say) are left alone.
 */
import type { Root } from 'hast';
import { elements, stringProperty } from './hast-helpers.ts';

export interface ScopeFragmentsOptions {
  /** e.g. "ch-03-" */
  prefix: string;
}

function decode(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

export default function rehypeScopeFragments(options: ScopeFragmentsOptions) {
  return (tree: Root): undefined => {
    const ids = new Set<string>();
    for (const [node] of elements(tree)) {
      const id = stringProperty(node, 'id');
      if (id) ids.add(id);
    }
    for (const [node] of elements(tree)) {
      const href = node.tagName === 'a' ? stringProperty(node, 'href') : undefined;
      if (!href?.startsWith('#')) continue;
      // Ids may hold a fragment either as written or decoded (`#%D0%B3…` for `#г…`).
      const raw = href.slice(1);
      const decoded = decode(raw);
      if (ids.has(raw) || ids.has(decoded)) continue;
      if (ids.has(options.prefix + raw) || ids.has(options.prefix + decoded)) node.properties.href = `#${options.prefix}${raw}`;
    }
  };
}
