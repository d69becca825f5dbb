/**
 * Parses every chapter of a publication, collecting all problems before
 * failing so that an author sees every broken image in one run.
 */
import path from 'node:path';
import type { BuildContext } from '../context.ts';
import { ContentError, type Diagnostic } from '../diagnostics.ts';
import type { ParsedChapter, Publication } from '../model.ts';
import { parseChapter } from './parse-chapter.ts';
import { hasParsed, parseCacheKey, readParsed, writeParsed } from './parse-cache.ts';
import { yieldToEvents } from '../util/yield.ts';

/**
 * Node answers the browser between chapters: the layout pages and the cover
 * get ready (in Chromium, on the other core) while the book is parsed.
 */
export async function parsePublication(pub: Publication, ctx: BuildContext): Promise<ParsedChapter[]> {
  const errors: Diagnostic[] = [];
  const cacheDir = parsedDir(ctx);
  const pending: Array<() => void> = [];
  const chapters: ParsedChapter[] = [];
  for (const [index, source] of pub.chapters.entries()) {
    if (index) await yieldToEvents();
    ctx.logger.progress?.({ publication: pub.meta.slug, stage: 'parse', message: 'parsing chapters', current: index + 1, total: pub.chapters.length });
    const options = { publicationDir: pub.dir, bookLanguage: pub.meta.language, index, displayPath: ctx.displayPath };
    const key = cacheDir && chapterKey(pub, ctx, index);
    const hit = key ? readParsed(cacheDir, key) : undefined;
    const parsed = hit ? { chapter: { ...hit.chapter, source }, diagnostics: hit.diagnostics } : parseChapter(source, options);
    const { diagnostics } = parsed;
    const chapter = key ? { ...parsed.chapter, key } : parsed.chapter;
    if (key && !hit) {
      const { source: _source, key: _key, ...rest } = chapter;
      pending.push(() => writeParsed(cacheDir, key, { chapter: rest, diagnostics }));
    }
    for (const d of diagnostics) {
      if (d.severity === 'error') errors.push(d);
      else ctx.logger.warn(d);
    }
    chapters.push(chapter);
  }
  if (errors.length) throw new ContentError(errors);
  // Kept only when the whole build succeeds: one that fails on its content writes nothing.
  ctx.onSuccess.push(...pending);
  return chapters;
}

/**
 * How many chapters the cache has no parse of: those edited since the last
 * build (every chapter without a cache). Asked before parsing, as a guess at
 * how many parts the PDFs will lay out again (a changed theme lays out more).
 */
export function chaptersToParse(pub: Publication, ctx: BuildContext): number {
  const cacheDir = parsedDir(ctx);
  if (!cacheDir) return pub.chapters.length;
  return pub.chapters.filter((_, index) => !hasParsed(cacheDir, chapterKey(pub, ctx, index))).length;
}

const parsedDir = (ctx: BuildContext) => (ctx.cacheDir ? path.join(ctx.cacheDir, 'parsed') : undefined);

function chapterKey(pub: Publication, ctx: BuildContext, index: number): string {
  const source = pub.chapters[index];
  return parseCacheKey(ctx.toolRoot, { source, dir: pub.dir, lang: pub.meta.language, index, shown: ctx.displayPath(source.file) });
}
