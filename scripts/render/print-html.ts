/**
 * Each chapter's print HTML: notes at the foot of the page, page numbers for
 * cross-references, soft hyphens. Both PDF editions (and the preview) use the
 * same, made once per build; with a cache, a chapter's HTML is kept between
 * builds under the key it was parsed by (parse-cache.ts) and what else shapes
 * it, so that a rebuild after an edit hyphenates only the chapter that
 * changed (hyphenating the novel takes most of a second).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import zlib from 'node:zlib';
import { toHtml } from 'hast-util-to-html';
import type { ParsedChapter } from '../model.ts';
import { toolFile } from '../util/package-dir.ts';
import { codeVersion } from '../util/code-version.ts';
import { yieldToEvents } from '../util/yield.ts';
import { readCacheEntry, writeCacheEntry } from '../write/cache-entry.ts';
import { rewriteImageSources } from './assets.ts';
import { hyphenateTree, type HyphenationMemo } from './hyphenate.ts';
import { footnotesToPageNotes, markBlockPositions, markCrossReferences } from './print-tree.ts';

export interface PrintHtmlOptions {
  /** Where an image of the publication is found from the print HTML. */
  media: (rel: string) => string;
  /** The word before a cross-reference's page number, in the book's language. */
  seePage: string;
  /** Folder of kept print HTML; none: no cache. */
  cacheDir?: string;
  /** Takes the writes of new entries, to be done once the build succeeds (a build that fails on its content writes nothing). */
  keep?: (write: () => void) => void;
  /** Root of the tool, whose locked dependencies (the hyphenation patterns) shape the HTML. */
  toolRoot: string;
}

/** The modules that make print HTML and the locked dependency versions (the hyphenation patterns among them). */
function rendererVersion(toolRoot: string): string {
  return codeVersion(toolRoot, [toolFile('scripts', 'render')]);
}

export async function printHtml(chapters: ParsedChapter[], options: PrintHtmlOptions): Promise<string[]> {
  const memo: HyphenationMemo = new Map();
  // The media folder is the same for every chapter: a sample path stands for the mapping in the key.
  const inputs = JSON.stringify({ media: options.media('x'), seePage: options.seePage });
  const out: string[] = [];
  for (const ch of chapters) {
    await yieldToEvents();
    out.push(chapterHtml(ch));
  }
  return out;

  function chapterHtml(ch: ParsedChapter): string {
    const file =
      options.cacheDir && ch.key
        ? path.join(options.cacheDir, `${createHash('sha256').update(rendererVersion(options.toolRoot)).update(ch.key).update(inputs).digest('hex')}.html.gz`)
        : undefined;
    const kept = file && readCacheEntry(file);
    if (kept) {
      try {
        return zlib.gunzipSync(kept).toString('utf8');
      } catch {
        // Unreadable: made again below.
      }
    }
    const tree = markBlockPositions(rewriteImageSources(ch.tree, options.media), ch.id);
    footnotesToPageNotes(markCrossReferences(hyphenateTree(tree, ch.lang, memo), options.seePage));
    const html = toHtml(tree);
    if (file) (options.keep ?? ((write) => write()))(() => writeCacheEntry(file, zlib.gzipSync(html, { level: 1 })));
    return html;
  }
}
