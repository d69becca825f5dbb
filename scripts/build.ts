/**
 * The whole build, top to bottom: load → parse → render → paginate/package →
 * write. The CLI and the programmatic API both call `build()`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createContext, type BuildContext, type BuildOptions } from './context.ts';
import { ContentError } from './diagnostics.ts';
import { findPublications, inspectPublication } from './load/load-publication.ts';
import { launchBrowser, startBrowser, type BrowserSession } from './browser.ts';
import type { HeadStart, PublicationResult } from './editions.ts';
import { disposeWorkerPages, laidOutInParts, pdfEditions, type WarmStart } from './paginate/worker-pages.ts';
import type { Publication } from './model.ts';
import { createStaging, removeLeftovers, replaceDir } from './write/atomic.ts';
import { pruneCache } from './write/prune-cache.ts';

export interface BuildSummary {
  outDir: string;
  publications: PublicationResult[];
  warnings: BuildContext['warnings'];
  catalog?: string;
  timings: Record<string, number>;
}

export async function build(options: BuildOptions): Promise<BuildSummary> {
  // The build owns the pages made ready for it: it uses them or closes them.
  const warm = { start: options.warm };
  try {
    return await buildAll(options, warm);
  } finally {
    if (warm.start) await disposeWorkerPages(warm.start.pages, warm.start.work);
  }
}

async function buildAll(options: BuildOptions, warm: { start?: WarmStart }): Promise<BuildSummary> {
  const ctx = createContext(options);
  const input = path.resolve(ctx.cwd, options.input);
  const dirs = await findPublications(input);
  await removeLeftovers(ctx.outDir);

  // One browser for the whole build, started only when a stage needs it.
  const launch = { executablePath: ctx.chromiumPath, protocolTimeoutMs: ctx.paginationTimeoutMs + 60_000 };
  let session: Promise<BrowserSession> | undefined;
  const browser = options.browser ?? (() => (session ??= launchBrowser(launch)));
  // A build with PDFs needs it for sure: Chromium starts (another process, on
  // another core) while Node parses. A failure to start is reported when a PDF needs it,
  // so that content problems are reported first.
  const startEarly = async () => {
    if (options.browser || session) return;
    try {
      // Waits only for puppeteer to load and the process to be spawned.
      session = (await startBrowser(launch)).session;
    } catch (error) {
      session = Promise.reject(error);
    }
    session.catch(() => undefined);
  };
  if (ctx.formats.has('pdf') || ctx.formats.has('print')) await startEarly();
  // Loaded once Chromium is on its way (the parser and the renderers take a fifth of a second to load).
  const [{ chaptersToParse, parsePublication }, { buildEditions, startPublication }] = await Promise.all([import('./parse/parse-publication.ts'), import('./editions.ts')]);

  const results: PublicationResult[] = [];
  const timings: Record<string, number> = {};
  // What each book starts while its chapters are parsed: theme, cover, the first book's layout pages.
  const heads = new Map<Publication, HeadStart>();
  let closed: Promise<void> | undefined;
  try {
    // Load and parse everything first, so every content problem is reported in one run.
    const loaded = [];
    const problems = [];
    for (const dir of dirs) {
      // A publication with problems is still parsed, as far as it loaded, so that its chapters' problems show too.
      const { publication: pub, diagnostics } = await timed(timings, 'load', () => inspectPublication(dir, { displayPath: ctx.displayPath }));
      problems.push(...diagnostics);
      if (!pub) continue;
      // A cover to draw, and no cache it could come from: the browser starts while the chapters are parsed.
      if ((ctx.formats.has('epub') || ctx.formats.has('web')) && !pub.meta.cover && !ctx.cacheDir) await startEarly();
      if (!diagnostics.length) {
        try {
          // The layout pages get ready meanwhile, in our browser once it is under way, or in the caller's (colophon dev).
          const first = ![...heads.values()].some((h) => h.pages);
          const pagesIn = first && pdfEditions(ctx).length && laidOutInParts(ctx, pub, pub.chapters.length) ? (session ?? options.browser?.()) : undefined;
          // Pages made ready before the build (colophon dev) serve the first such book.
          const ready = pagesIn && warm.start?.editions.join() === pdfEditions(ctx).join() ? warm.start : undefined;
          // After an edit, as many layout pages get ready as chapters changed.
          const expected = pagesIn && !ready ? chaptersToParse(pub, ctx) : undefined;
          heads.set(pub, startPublication(ctx, pub, browser, pagesIn, ready, expected));
          if (ready) warm.start = undefined;
        } catch (error) {
          // A broken theme is reported with the chapters' problems.
          if (error instanceof ContentError) problems.push(...error.diagnostics);
          else throw error;
        }
      }
      try {
        const parsed = await timed(timings, 'parse', () => parsePublication(pub, ctx));
        if (!diagnostics.length) loaded.push({ pub, parsed });
      } catch (error) {
        if (error instanceof ContentError) problems.push(...error.diagnostics);
        else throw error;
      }
    }
    if (problems.length) throw new ContentError(problems);
    // Without PDFs the browser only draws covers: it closes once they are
    // drawn, while the EPUB is packaged, instead of after the last output.
    if (!pdfEditions(ctx).length && session) {
      const drawing = session;
      closed = Promise.all([...heads.values()].map((h) => h.cover?.catch(() => undefined))).then(async () => {
        await (await drawing.catch(() => undefined))?.close();
      });
    }

    for (const [i, { pub, parsed }] of loaded.entries()) {
      ctx.logger.step(`${pub.meta.slug}: building ${[...ctx.formats].join(', ')}`);
      const staging = await createStaging(ctx.outDir, pub.meta.slug);
      // Our browser closes once the last book is printed, while its PDFs are
      // finished and its EPUB packaged, instead of after the last output.
      const done =
        i === loaded.length - 1
          ? () => {
              const open = session;
              if (open) closed ??= open.then((s) => s.close()).catch(() => undefined);
            }
          : undefined;
      try {
        const result = await buildEditions(ctx, pub, parsed, staging, browser, timings, heads.get(pub)!, done);
        await replaceDir(staging, path.join(ctx.outDir, pub.meta.slug));
        results.push(result);
      } catch (error) {
        await fs.rm(staging, { recursive: true, force: true });
        throw error;
      }
    }
    const catalog = ctx.formats.has('web') ? await (await import('./web/catalog.ts')).writeCatalog(ctx) : undefined;
    for (const write of ctx.onSuccess) write();
    if (ctx.cacheDir) pruneCache(ctx.cacheDir);
    return { outDir: ctx.outDir, publications: results, warnings: ctx.warnings, catalog, timings };
  } finally {
    if (closed) await closed;
    else if (session) await (await session.catch(() => undefined))?.close();
    for (const head of heads.values()) {
      // The cover is drawn in the work folder. A page no worker took (the build
      // failed first) is closed: it matters in a browser that stays open
      // (colophon dev); with ours closed, those not yet open give up at once.
      await head.cover?.catch(() => undefined);
      await disposeWorkerPages(head.pages, head.work);
    }
  }
}

async function timed<T>(timings: Record<string, number>, stage: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings[stage] = (timings[stage] ?? 0) + Math.round(performance.now() - start);
  }
}
export { timed };
