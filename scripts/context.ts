/**
 * Everything a build needs from the outside world comes in through this
 * context: where to write, what to build, the clock, and how to report.
 * No stage reaches for globals, so builds can run side by side and in tests.
 */
import path from 'node:path';
import { toolRoot } from './util/package-dir.ts';
import { DEFAULT_PART_SIZE } from './paginate/groups.ts';
import { DEFAULT_CHUNK_PAGES, DEFAULT_GARBAGE_PAGES, DEFAULT_PRINTING, type Printing } from './paginate/chunks.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { BrowserSession } from './browser.ts';
import type { WarmStart } from './paginate/worker-pages.ts';
import type { PdfWorker } from './paginate/pdf-assembler.ts';

export const FORMATS = ['pdf', 'print', 'epub', 'web'] as const;
export type Format = (typeof FORMATS)[number];

export interface Logger {
  /** A stage starts or progresses ("paginate", "chapter 3 of 12"). */
  step(message: string): void;
  warn(diagnostic: Diagnostic): void;
  info(message: string): void;
  /** Structured progress for a live display; loggers without it get the `step` messages only. */
  progress?(info: ProgressInfo): void;
}

/** Where a build is, for a person watching it: publication, stage, item i of n, pages so far. */
export interface ProgressInfo {
  /** Slug of the publication being built. */
  publication: string;
  /** Stage key, as in BuildSummary.timings: load, parse, paginate-screen, paginate-print, epub, web… */
  stage: string;
  /** The stage for people ("paginating the screen PDF"); default: the stage key. */
  message?: string;
  /** Item `current` of `total`, when the stage goes item by item. */
  current?: number;
  total?: number;
  /** What the items are (default "chapter"). */
  unit?: string;
  /** Pages laid out so far, when known. */
  pages?: number;
  /** The stage runs alongside those under way (the two PDF editions): its start does not end them. */
  alongside?: boolean;
  /** The stage is over. */
  done?: boolean;
}

export interface BuildOptions {
  /** Publication folder, or a folder of publications. */
  input: string;
  /** Output root; each publication goes to `<outDir>/<slug>/`. */
  outDir: string;
  formats: Format[];
  /** Working directory that paths in messages are relative to. */
  cwd?: string;
  logger?: Logger;
  /** Seconds since the epoch used for every timestamp; default from SOURCE_DATE_EPOCH or book.yaml. */
  sourceDateEpoch?: number;
  /** Path to a Chromium binary; default: found at run time. */
  chromiumPath?: string;
  /** Per-document pagination time limit in ms. */
  paginationTimeoutMs?: number;
  /** Keep the print HTML (with its assets) in `<htmlDir>/<slug>/<edition>/`, for debugging and reference renders. */
  htmlDir?: string;
  /** Lay a book out as one document instead of chapter by chapter in parallel (the reference path). */
  singleDocument?: boolean;
  /** Where laid-out chapters are cached between builds; false: no cache. Default `<outDir>/.colophon-cache`. */
  cacheDir?: string | false;
  /** Characters of chapter HTML laid out together in one part (see paginate/groups.ts). */
  partSize?: number;
  /** How laid-out parts are printed: each where it was laid out, then merged, or joined in chunks (see paginate/parts.ts). */
  printing?: Printing;
  /** With 'joined' printing: pages printed as one document; a longer book is printed in chunks and merged (see paginate/chunks.ts). */
  chunkPages?: number;
  /** A layout page frees the parts it is done with once they add up to this many pages (see paginate/chunks.ts). */
  garbagePages?: number;
  /** Also write `<slug>/preview/`: the print HTML paginated by Paged.js in the reader's browser (colophon dev). */
  printPreview?: boolean;
  /**
   * Keep the editions of the formats not built this time that `<slug>/`
   * already holds, with their download links (colophon dev's quick web build,
   * which a build of every edition follows): otherwise they are gone until then.
   */
  keepEditions?: boolean;
  /**
   * Told a publication's slug once its web edition (and print preview) is in
   * `<slug>/`, with the editions it already held: written while the PDFs are
   * laid out, before they and the EPUB replace them (colophon dev, which so
   * shows an edit long before every edition is rebuilt, in one build).
   */
  onEarlyWeb?: (slug: string) => void;
  /** A browser kept open by the caller (colophon dev keeps one warm between builds); the build does not close it. */
  browser?: () => Promise<BrowserSession>;
  /**
   * Layout pages made ready in that browser before the build (colophon dev
   * makes them between builds), for the first book laid out chapter by
   * chapter. The build takes them over: it uses them or closes them.
   */
  warm?: WarmStart;
  /** The worker that merges and finishes PDFs, kept by the caller between builds (colophon dev: its pdf-lib stays warm); the build does not close it. */
  pdfWorker?: PdfWorker;
  /** Threads that parse chapters beside the main one; default: one for a long book on a machine with a core to spare (parse/parse-threads.ts). */
  parseHelpers?: number;
}

export interface BuildContext {
  cwd: string;
  outDir: string;
  formats: Set<Format>;
  logger: Logger;
  sourceDateEpoch?: number;
  chromiumPath?: string;
  paginationTimeoutMs: number;
  htmlDir?: string;
  /** Paginate chapters apart, in parallel. */
  parallel: boolean;
  cacheDir?: string;
  partSize: number;
  printing: Printing;
  chunkPages: number;
  garbagePages: number;
  printPreview: boolean;
  keepEditions: boolean;
  onEarlyWeb?: (slug: string) => void;
  /** The caller's PDF worker (BuildOptions.pdfWorker); none: each book starts its own. */
  pdfWorker?: PdfWorker;
  /** BuildOptions.parseHelpers; none: chosen by the book's length. */
  parseHelpers?: number;
  /** Root of the Colophon installation (templates/, node_modules/). */
  toolRoot: string;
  /** Path as the user should read it in messages. */
  displayPath(abs: string): string;
  warnings: Diagnostic[];
  /** Cache entries to write once the build has succeeded: a build that fails on its content leaves nothing behind. */
  onSuccess: Array<() => void>;
}

export const silentLogger: Logger = { step() {}, warn() {}, info() {} };

export function createContext(options: BuildOptions): BuildContext {
  const cwd = options.cwd ?? process.cwd();
  const logger = options.logger ?? silentLogger;
  const envEpoch = process.env.SOURCE_DATE_EPOCH;
  const warnings: Diagnostic[] = [];
  return {
    cwd,
    outDir: path.resolve(cwd, options.outDir),
    formats: new Set(options.formats),
    logger: {
      ...logger,
      warn(d) {
        warnings.push(d);
        logger.warn(d);
      },
    },
    sourceDateEpoch:
      options.sourceDateEpoch ?? (envEpoch && /^\d+$/.test(envEpoch) ? Number(envEpoch) : undefined),
    chromiumPath: options.chromiumPath,
    paginationTimeoutMs: options.paginationTimeoutMs ?? 300_000,
    htmlDir: options.htmlDir ? path.resolve(cwd, options.htmlDir) : undefined,
    parallel: !options.singleDocument,
    cacheDir:
      options.cacheDir === false
        ? undefined
        : path.resolve(cwd, options.cacheDir ?? path.join(options.outDir, '.colophon-cache')),
    partSize: options.partSize ?? DEFAULT_PART_SIZE,
    printing: options.printing ?? DEFAULT_PRINTING,
    chunkPages: options.chunkPages ?? DEFAULT_CHUNK_PAGES,
    garbagePages: options.garbagePages ?? DEFAULT_GARBAGE_PAGES,
    printPreview: options.printPreview ?? false,
    keepEditions: options.keepEditions ?? false,
    onEarlyWeb: options.onEarlyWeb,
    pdfWorker: options.pdfWorker,
    parseHelpers: options.parseHelpers,
    onSuccess: [],
    toolRoot: toolRoot(),
    displayPath(abs: string) {
      const rel = path.relative(cwd, abs);
      return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
    },
    warnings,
  };
}
