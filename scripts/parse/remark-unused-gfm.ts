/**
 * Some of GFM is tried on the whole text far more often than it matches.
 * micromark tries literal autolinks (www.example.com, https://…,
 * name@example.com) at every word, an eighth of the novel's parse, and tables
 * at the start of every line, about a sixth of what remained; and
 * mdast-util-gfm-autolink-literal then searches every text node again with
 * regular expressions for links micromark may have missed, a quarter of what
 * remained after that. Each needs something in the source to match at all: a
 * literal autolink an '@', a 'www.' or an 'http(s)://'; a table a '|' or an
 * alignment colon beside a hyphen in its delimiter row (without either, `a`
 * over `-` is a heading, but `a` over `:-:` is a table of one column). A
 * chapter that lacks it is parsed with that part turned off (micromark's
 * `disable`, and the search left out), which gives the same tree.
 */
import { gfmAutolinkLiteralFromMarkdown } from 'mdast-util-gfm-autolink-literal';
import type { Processor } from 'unified';

const AUTOLINK_TRIGGER = /@|www\.|https?:\/\//i;
const TABLE_TRIGGER = /\||:-|-:/;

/** Whether GFM could find a literal autolink in this Markdown. */
export function mayHoldLiteralAutolinks(markdown: string): boolean {
  return AUTOLINK_TRIGGER.test(markdown);
}

/** Whether GFM could find a table in this Markdown. */
export function mayHoldTables(markdown: string): boolean {
  return TABLE_TRIGGER.test(markdown);
}

export interface UnusedGfm {
  /** micromark constructs that cannot match, by name. */
  constructs: string[];
  /** No literal autolink can be found: the search of the text for them is left out. */
  literalAutolinks: boolean;
}

/** The constructs of micromark-extension-gfm-autolink-literal and -table, by name. */
const AUTOLINKS = ['wwwAutolink', 'protocolAutolink', 'emailAutolink'];
const TABLES = ['table'];

/** What of GFM cannot match anywhere in this Markdown. */
export function unusedGfm(markdown: string): UnusedGfm {
  const links = !mayHoldLiteralAutolinks(markdown);
  return { constructs: [...(links ? AUTOLINKS : []), ...(mayHoldTables(markdown) ? [] : TABLES)], literalAutolinks: links };
}

/** The search of the text for literal autolinks, as remark-gfm adds it (the same module). */
const AUTOLINK_SEARCH = gfmAutolinkLiteralFromMarkdown().transforms?.[0];

interface MdastExtension {
  transforms?: unknown[];
}
type MdastExtensions = Array<MdastExtension | MdastExtensions>;

/** The extensions without the autolink search (remark-gfm adds them as a nested list). */
function withoutSearch(list: MdastExtensions): MdastExtensions {
  return list.map((ext) => {
    if (Array.isArray(ext)) return withoutSearch(ext);
    if (!ext.transforms?.includes(AUTOLINK_SEARCH)) return ext;
    return { ...ext, transforms: ext.transforms.filter((t) => t !== AUTOLINK_SEARCH) };
  });
}

/** Turns off what of GFM cannot match (used after remark-gfm). */
export default function remarkWithoutUnusedGfm(this: Processor, unused: UnusedGfm): void {
  const data = this.data() as { micromarkExtensions?: unknown[]; fromMarkdownExtensions?: MdastExtensions };
  if (unused.constructs.length) (data.micromarkExtensions ??= []).push({ disable: { null: unused.constructs } });
  if (unused.literalAutolinks && data.fromMarkdownExtensions) data.fromMarkdownExtensions = withoutSearch(data.fromMarkdownExtensions);
}
