/**
 * GFM's literal autolinks (www.example.com, https://…, name@example.com) are
 * tried by micromark at every word of the text: an eighth of the novel's parse.
 * Each needs an '@', a 'www.' or an 'http(s)://' in the source at the place it
 * matches, so a chapter with none of them is parsed with those constructs
 * turned off (micromark's `disable`), which gives the same tree.
 */
import type { Processor } from 'unified';

const TRIGGER = /@|www\.|https?:\/\//i;

/** Whether GFM could find a literal autolink in this Markdown. */
export function mayHoldLiteralAutolinks(markdown: string): boolean {
  return TRIGGER.test(markdown);
}

/** The names of the constructs of micromark-extension-gfm-autolink-literal. */
const CONSTRUCTS = ['wwwAutolink', 'protocolAutolink', 'emailAutolink'];

export default function remarkWithoutLiteralAutolinks(this: Processor): void {
  const data = this.data() as { micromarkExtensions?: unknown[] };
  (data.micromarkExtensions ??= []).push({ disable: { null: CONSTRUCTS } });
}
