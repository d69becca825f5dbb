/**
 * `colophon dev`: builds the web edition and a print preview (the PDF's pages
 * laid out by Paged.js in the reader's browser), serves them on localhost, and
 * on every change in the content folder or the theme rebuilds and reloads the
 * open pages. The PDFs and EPUB are rebuilt too (the first time after a quick
 * web build; then in the same build, which puts the web edition in place
 * while it lays out the PDFs), with one Chromium kept open for the whole
 * session and the pagination cache, so only the parts that changed are laid
 * out again. A build that fails prints its problems and keeps the last good
 * pages on screen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Command } from 'commander';
import type { Io } from './io.ts';
import type { BrowserSession } from '../browser.ts';
import type { PdfWorker } from '../paginate/pdf-assembler.ts';
import type { WarmStart } from '../paginate/worker-pages.ts';
import { toolRoot } from '../util/package-dir.ts';
import { consoleLogger } from './options.ts';
import { reportError } from './report.ts';
import { startPreviewServer } from './dev-server.ts';
import { displayPath } from './display.ts';
import { UsageError } from '../diagnostics.ts';

export interface DevOptions {
  input: string;
  outDir: string;
  port: number;
  io: Io;
  /**
   * Quiet period after the last change before rebuilding, in ms (default 50:
   * an editor's save, even one that writes a temporary file and renames it,
   * comes as events a few ms apart; a change during a build causes exactly one more).
   */
  debounceMs?: number;
  /** Rebuild only the web edition and the print preview, not the PDFs and EPUB. */
  webOnly?: boolean;
  /** Folders watched besides the input (default: the theme's templates/). */
  watch?: string[];
}

export interface DevSession {
  url: string;
  /** Publications of the last good build: where to read each. */
  publications: Array<{ slug: string; web: string; preview: string }>;
  /** Resolves after the web build that follows the next change (or the first build). */
  nextBuild(): Promise<boolean>;
  /** Stops watching and serving after the build in progress; `now` closes the browser first, which ends a PDF build at once. */
  close(options?: { now?: boolean }): Promise<void>;
  /** Resolves after the next build of every edition (PDFs, EPUB, web); false when it failed or was skipped for a newer change. */
  nextEditions(): Promise<boolean>;
}

export async function startDev(options: DevOptions): Promise<DevSession> {
  const { io } = options;
  const input = path.resolve(options.input);
  const outDir = path.resolve(options.outDir);
  if (!fs.existsSync(input)) throw new UsageError(`${options.input} does not exist.`);
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startPreviewServer(outDir, options.port);
  // Set by a stop that should not wait: no new build starts, the browser is closed.
  let stopping = false;
  // One browser for every PDF rebuild of the session, started by the first one.
  let session: Promise<BrowserSession> | undefined;
  const browser = () =>
    stopping ? Promise.reject(new Error('colophon dev is stopping')) : (session ??= import('../browser.ts').then(({ launchBrowser }) => launchBrowser()));
  let publications: DevSession['publications'] = [];
  // One worker that merges and finishes the PDFs, for every rebuild: pdf-lib's code stays warm in it.
  let pdfWorker: PdfWorker | undefined;
  const worker = async () => {
    if (!pdfWorker || pdfWorker.stopped) pdfWorker = (await import('../paginate/pdf-assembler.ts')).startPdfWorker();
    return pdfWorker;
  };

  // Who waits for the next web build, and for the next build of every edition.
  let webWaiters: ((ok: boolean) => void)[] = [];
  let allWaiters: ((ok: boolean) => void)[] = [];
  const settle = (which: 'web' | 'all', ok: boolean) => {
    const list = which === 'web' ? webWaiters : allWaiters;
    if (which === 'web') webWaiters = [];
    else allWaiters = [];
    for (const w of list) w(ok);
  };
  const fail = (error: unknown) => {
    // A build cut short by a stop is no problem to report.
    if (stopping) return;
    // The same report in the terminal and over the open pages.
    let report = '';
    reportError(error, { out: () => {}, err: (s) => void (report += s) }, { debug: false, json: false });
    io.err(report);
    server.showError(stripVTControlCharacters(report).trim());
  };
  // Layout pages made ready for the next build of the PDFs while the session waits for an edit.
  // Only while the last build laid a book out chapter by chapter (the pages serve no book laid out as one document).
  let warm: WarmStart | undefined;
  let warmUseful = true;
  const makeWarm = async () => {
    const { prepareWarmStart } = await import('../paginate/worker-pages.ts');
    if (!stopping && !warm && warmUseful) warm = prepareWarmStart(browser(), ['screen', 'print']);
  };
  let running: Promise<void> | undefined;
  let again = false;
  let builds = 0;
  const slugsToPublications = (slugs: string[]) => slugs.map((slug) => ({ slug, web: `${server.url}${slug}/`, preview: `${server.url}${slug}/preview/` }));
  const webRebuilt = () => {
    io.err(`Rebuilt the web edition and print preview at ${new Date().toLocaleTimeString()}.\n`);
    server.reload();
    settle('web', true);
  };
  /**
   * Every edition, with the session's browser: the build takes the ready
   * pages over, and the next ones get ready once it is done. With `showsWeb`,
   * the build also shows the web edition, early, while it lays out the PDFs.
   */
  const buildEveryEdition = async (build: typeof import('../build.ts').build, logger: ReturnType<typeof consoleLogger>, showsWeb: boolean) => {
    const ready = warm;
    warm = undefined;
    let webShown = !showsWeb;
    try {
      const all = await build({
        input,
        outDir,
        formats: ['pdf', 'print', 'epub', 'web'],
        printPreview: true,
        logger,
        browser,
        warm: ready,
        pdfWorker: await worker(),
        onEarlyWeb: showsWeb
          ? (slug) => {
              if (!publications.some((p) => p.slug === slug)) publications = [...publications, ...slugsToPublications([slug])];
              webShown = true;
              webRebuilt();
            }
          : undefined,
      });
      publications = slugsToPublications(all.publications.map((p) => p.slug));
      warmUseful = all.publications.some((p) => (p.layout.screen?.parts ?? 0) > 0);
      io.err(`Rebuilt the PDFs and EPUB at ${new Date().toLocaleTimeString()}.\n`);
      server.reload();
      if (!webShown) settle('web', true);
      settle('all', true);
    } catch (error) {
      fail(error);
      if (!webShown) settle('web', false);
      settle('all', false);
    }
    await makeWarm();
  };
  const rebuild = async (): Promise<void> => {
    // One build at a time; changes during a build cause exactly one more.
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const { build } = await import('../build.ts');
        const logger = consoleLogger(io, true);
        // After the first, a rebuild of every edition is one build, which puts
        // the web edition and preview in place while it lays out the PDFs: as
        // soon as a web build before it would, and without its second of work
        // before the PDFs start (about a fifth of the time to every edition).
        if (builds++ && !options.webOnly) {
          await buildEveryEdition(build, logger, true);
          continue;
        }
        // The web edition and preview first, so the open pages show the change at once…
        try {
          // The PDFs and EPUB of the last build stay, with their links, until the next ones land.
          const summary = await build({ input, outDir, formats: ['web'], printPreview: true, keepEditions: true, logger });
          publications = slugsToPublications(summary.publications.map((p) => p.slug));
          webRebuilt();
        } catch (error) {
          fail(error);
          settle('web', false);
          settle('all', false);
          continue;
        }
        // …then every edition, unless another change is already waiting. (Side
        // by side, the two builds took as long on two cores, and the web edition
        // came a second later.)
        if (options.webOnly || again || stopping) continue;
        await buildEveryEdition(build, logger, false);
      } while (again && !stopping);
    })().finally(() => (running = undefined));
    return running;
  };

  let timer: NodeJS.Timeout | undefined;
  const watched = [input, ...(options.watch ?? [path.join(toolRoot(), 'templates')])].filter((d) => fs.existsSync(d));
  const watchers = watched.map((dir) =>
    fs.watch(dir, { recursive: true }, (_event, name) => {
      // Building into a folder inside the watched one must not trigger itself.
      if (name && path.resolve(dir, name.toString()).startsWith(outDir + path.sep)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void rebuild(), options.debounceMs ?? 50);
    }),
  );

  const first = new Promise<boolean>((resolve) => webWaiters.push(resolve));
  void rebuild();
  await first;
  return {
    url: server.url,
    get publications() {
      return publications;
    },
    nextBuild: () => new Promise((resolve) => webWaiters.push(resolve)),
    nextEditions: () => new Promise((resolve) => allWaiters.push(resolve)),
    async close(options: { now?: boolean } = {}) {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      // Closing the browser first makes a build in progress fail at once instead of finishing.
      if (options.now) stopping = true;
      const browserClosed = options.now && session ? (await session.catch(() => undefined))?.close() : undefined;
      await running;
      stopping = true;
      if (warm) {
        const { disposeWorkerPages } = await import('../paginate/worker-pages.ts');
        await disposeWorkerPages(warm.pages, warm.work);
        warm = undefined;
      }
      await browserClosed;
      await pdfWorker?.close();
      await server.close();
      if (session) await (await session.catch(() => undefined))?.close();
      // Nobody waits for a build that will not come.
      settle('web', false);
      settle('all', false);
    },
  };
}

export function registerDev(program: Command, io: Io): void {
  program
    .command('dev')
    .description('preview the web edition and the paginated print pages on localhost, rebuilding every edition and reloading on every change')
    .argument('[dir]', 'a publication folder or a folder of publications', 'content')
    .option('-o, --out <dir>', 'output folder', 'dist')
    .option('-p, --port <port>', 'port on localhost (0 picks a free one)', '4173')
    .option('--web-only', 'rebuild only the web edition and the print preview, not the PDFs and EPUB')
    .action(async (dir: string, flags: { out: string; port: string; webOnly?: boolean }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, not "${flags.port}".`);
      const session = await startDev({ input: dir, outDir: flags.out, port, io, webOnly: flags.webOnly });
      const lines = [`Serving ${displayPath(path.resolve(flags.out))} at ${session.url} — watching ${displayPath(path.resolve(dir))} and the theme.`];
      for (const p of session.publications) lines.push(`  ${p.slug}: web edition ${p.web}  print preview ${p.preview}`);
      lines.push(flags.webOnly ? 'Press Ctrl+C to stop.' : 'The PDFs and EPUB are rebuilt after each change, in the background. Press Ctrl+C to stop.');
      io.out(lines.join('\n') + '\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // A build in progress is let finish; a second Ctrl+C stops it (and its browser) at once.
      io.err('Stopping after the build in progress (Ctrl+C again to stop now)…\n');
      const again = () => void session.close({ now: true });
      process.once('SIGINT', again);
      await session.close();
      process.off('SIGINT', again);
    });
}
