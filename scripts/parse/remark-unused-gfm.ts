/**
 * Two GFM constructs are tried by micromark far more often than they match:
 * literal autolinks (www.example.com, https://…, name@example.com) at every
 * word of the text, an eighth of the novel's parse, and tables at the start
 * of every line, about a sixth of what remains. Each needs something in the
 * source to match at all: a literal autolink an '@', a 'www.' or an
 * 'http(s)://'; a table a '|' or an alignment colon beside a hyphen in its
 * delimiter row (without either, `a` over `-` is a heading, but `a` over
 * `:-:` is a table of one column). A chapter that lacks it is
 * parsed with the construct turned off (micromark's `disable`), which gives
 * the same tree.
 */
import type { Processor } from 'unified';

const AUTOLINK_TRIGGER = /@|www\.|https?:\/\//i;

/** Whether GFM could find a literal autolink in this Markdown. */
export function mayHoldLiteralAutolinks(markdown: string): boolean {
  return AUTOLINK_TRIGGER.test(markdown);
}

const TABLE_TRIGGER = /\||:-|-:/;

/** Whether GFM could find a table in this Markdown. */
export function mayHoldTables(markdown: string): boolean {
  return TABLE_TRIGGER.test(markdown);
}

/** The constructs of micromark-extension-gfm-autolink-literal and -table, by name. */
const AUTOLINKS = ['wwwAutolink', 'protocolAutolink', 'emailAutolink'];
const TABLES = ['table'];

/** The GFM constructs that cannot match anywhere in this Markdown. */
export function unusedGfmConstructs(markdown: string): string[] {
  return [...(mayHoldLiteralAutolinks(markdown) ? [] : AUTOLINKS), ...(mayHoldTables(markdown) ? [] : TABLES)];
}

/** Turns the named micromark constructs off (after remark-gfm). */
export default function remarkWithoutConstructs(this: Processor, names: string[]): void {
  const data = this.data() as { micromarkExtensions?: unknown[] };
  (data.micromarkExtensions ??= []).push({ disable: { null: names } });
}
