/**
 * Parses every chapter of a publication, collecting all problems before
 * failing so that an author sees every broken image in one run.
 */
import os from 'node:os';
import path from 'node:path';
import type { BuildContext } from '../context.ts';
import { ContentError, type Diagnostic } from '../diagnostics.ts';
import type { ParsedChapter, Publication } from '../model.ts';
import type { ParseResult } from './parse-chapter.ts';
import { helpersFor, parseChapters, type ParseJob } from './parse-threads.ts';
import { hasParsed, parseCacheKey, readParsed, writeParsed } from './parse-cache.ts';
import { yieldToEvents } from '../util/yield.ts';

/**
 * Node answers the browser between chapters: the layout pages and the cover
 * get ready (in Chromium, on the other core) while the book is parsed. The
 * chapters the cache does not have are parsed on two threads when the book
 * is long enough to repay it (parse-threads.ts).
 */
export async function parsePublication(pub: Publication, ctx: BuildContext): Promise<ParsedChapter[]> {
  const cacheDir = parsedDir(ctx);
  const keys = pub.chapters.map((_, index) => (cacheDir ? chapterKey(pub, ctx, index) : undefined));
  const found: Array<ParseResult | undefined> = [];
  for (const [index, source] of pub.chapters.entries()) {
    // Between chapters, as while parsing: the browser's messages wait for no stretch of reading.
    if (index && cacheDir) await yieldToEvents();
    const hit = cacheDir && keys[index] ? readParsed(cacheDir, keys[index]) : undefined;
    found.push(hit ? { chapter: { ...hit.chapter, source }, diagnostics: hit.diagnostics } : undefined);
  }
  const jobs: ParseJob[] = pub.chapters.flatMap((source, index) => (found[index] ? [] : [{ index, source, shown: ctx.displayPath(source.file) }]));
  const total = pub.chapters.length;
  const progress = (current: number) =>
    ctx.logger.progress?.({ publication: pub.meta.slug, stage: 'parse', message: 'parsing chapters', current, total });
  const hits = total - jobs.length;
  if (hits) progress(hits);
  const helpers = ctx.parseHelpers ?? helpersFor(jobs, os.availableParallelism());
  const fresh = await parseChapters(
    jobs,
    { publicationDir: pub.dir, bookLanguage: pub.meta.language },
    {
      helpers,
      onParsed: (n) => progress(hits + n),
      // Nothing is lost (the main thread parses what the helper left), but an installation problem shows.
      onHelperStopped: (error) => ctx.logger.info(`The thread that helped parse the chapters stopped (${error.message}); the main thread parsed the rest.`),
    },
  );
  const results = [...found];
  for (const [j, job] of jobs.entries()) results[job.index] = fresh[j];

  const errors: Diagnostic[] = [];
  const pending: Array<() => void> = [];
  const chapters: ParsedChapter[] = [];
  for (const [index, parsed] of (results as ParseResult[]).entries()) {
    const { diagnostics } = parsed;
    const key = keys[index];
    const chapter = key ? { ...parsed.chapter, key } : parsed.chapter;
    if (cacheDir && key && !found[index]) {
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
