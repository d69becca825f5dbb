/**
 * One PDF edition (screen or print) of a publication: the print HTML and its
 * assets are written to a work folder, laid out with Paged.js (a book's
 * chapters in parallel, from the cache where possible; anything else as one
 * document), and merged and finished with metadata, bookmarks and print boxes
 * in a worker thread (pdf-assembler.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BuildContext } from '../context.ts';
import type { Publication } from '../model.ts';
import type { BrowserSession } from '../browser.ts';
import type { Theme } from '../render/theme.ts';
import type { BookView, ChapterView } from '../render/view-model.ts';
import type { FontFace } from '../fonts/font-faces.ts';
import type { FontPlan } from '../fonts/font-plan.ts';
import { pageCss, type Edition } from '../render/page-css.ts';
import { writeSiteAssets } from '../render/assets.ts';
import { paginate, type PageMap } from './paginate.ts';
import { paginateParts, type LayoutStats, type Part, type PartsResult } from './parts.ts';
import { groupChapters } from './groups.ts';
import { laidOutInParts } from './worker-pages.ts';
import type { SandboxedPage } from './paginate.ts';
import type { PdfAssembler, PdfWorker, PrintedBook } from './pdf-assembler.ts';
import { yieldToEvents } from '../util/yield.ts';

export interface PdfEditionInput {
  ctx: BuildContext;
  pub: Publication;
  theme: Theme;
  book: BookView;
  strings: Record<string, string>;
  edition: Edition;
  faces: FontFace[];
  /** The faces a layout loads before it starts (fonts/font-plan.ts); none: all of them. */
  fontPlan?: FontPlan;
  images: string[];
  /** Chapters rendered for print (notes at the foot of pages, hyphenated). */
  chapters: Array<ChapterView & { showHead: boolean }>;
  /** Work folder of this edition. */
  dir: string;
  date: Date;
  browser: () => Promise<BrowserSession>;
  /** Parts laid out at once (default: one per core). */
  concurrency?: number;
  /** Layout pages made ready for this edition's folder while the chapters were parsed (worker-pages.ts). */
  pages?: Array<Promise<SandboxedPage | undefined>>;
  /** Told the page map as soon as it is known, before the PDF is printed, merged and finished. */
  onMap?: (map: PageMap) => void;
  /** Told once the layout is under way, when Node mostly waits for Chromium. */
  onLayout?: () => void;
  /** Told once every page is printed: the edition needs Chromium no more. */
  onPrinted?: () => void;
  /** Where the PDF is merged and finished: the build's worker thread. */
  pdfWorker: PdfWorker;
}

export interface PdfEdition {
  bytes: Uint8Array;
  pages: number;
  map: PageMap;
  layout: LayoutStats;
}

/**
 * Writes the print stylesheets, fonts and images into the edition's folder and
 * returns how to render its HTML: with or without the front matter, for the
 * given chapters.
 */
export function writePrintDocument(input: Omit<PdfEditionInput, 'browser' | 'date' | 'pdfWorker'>): (showFront: boolean, body: PdfEditionInput['chapters']) => string {
  const { pub, theme, book, strings, edition, dir } = input;
  fs.mkdirSync(dir, { recursive: true });
  const assets = writeSiteAssets(dir, {
    theme,
    faces: input.faces,
    images: input.images,
    publicationDir: pub.dir,
    css: ['base.css', 'print.css'],
    extraCss: pageCss(pub.meta, edition),
  });
  return (showFront, body) =>
    theme.render('print', {
      book,
      strings,
      edition,
      showCover: edition === 'screen',
      showFront,
      fontStylesheet: assets.fonts,
      stylesheets: assets.styles,
      chapters: input.chapters,
      body,
    });
}

export async function buildPdfEdition(input: PdfEditionInput): Promise<PdfEdition> {
  const { ctx, pub, edition } = input;
  const render = writePrintDocument(input);
  const label = `${ctx.displayPath(pub.bookFile)} (${edition} PDF)`;
  const session = await input.browser();
  const assembler = input.pdfWorker.assembler();
  let done = false;
  try {
    const pdf = await layOutAndFinish(input, render, label, session, assembler);
    done = true;
    return pdf;
  } finally {
    // A worker kept between builds (colophon dev) forgets what a failed one gave it.
    if (!done) assembler.drop();
  }
}

async function layOutAndFinish(
  input: PdfEditionInput,
  render: ReturnType<typeof writePrintDocument>,
  label: string,
  session: BrowserSession,
  assembler: PdfAssembler,
): Promise<PdfEdition> {
  const { ctx, pub, edition, dir } = input;
  const meta = pub.meta;

  const parallel = laidOutInParts(ctx, pub, input.chapters.length);
  let result: Pick<PartsResult, 'pdf' | 'owners' | 'merged' | 'merging' | 'map'>;
  let layout: LayoutStats = { parts: 0, cached: 0, printed: 1, chunks: 1, collected: 0, prepared: 0, chapters: 0, pieces: 0, piecesReused: 0 };
  if (parallel) {
    // The whole book as one document too, for reference renders (e.g. stock pagedjs-cli), when the HTML is kept.
    if (ctx.htmlDir) fs.writeFileSync(path.join(dir, 'book.html'), render(true, input.chapters));
    const list: Part[] = [{ id: 'front', htmlFile: path.join(dir, 'front.html'), label: `the front matter of ${label}` }];
    fs.writeFileSync(list[0].htmlFile, render(true, []));
    for (const group of groupChapters(input.chapters, (ch) => ch.html.length, ctx.partSize)) {
      // Between parts, the browser's pages get ready (util/yield.ts).
      await yieldToEvents();
      const first = group[0];
      const last = group[group.length - 1];
      const id = group.length === 1 ? first.id : `${first.id}--${last.id}`;
      const htmlFile = path.join(dir, `${id}.html`);
      fs.writeFileSync(htmlFile, render(false, group));
      const files = group.map((ch) => ctx.displayPath(pub.chapters[ch.number - 1].file));
      const which = group.length === 1 ? `chapter ${first.number} (${files[0]}` : `chapters ${first.number}–${last.number} (${files[0]} to ${files[files.length - 1]}`;
      // With a cache, each chapter of a group is cached apart too (pieces.ts).
      const chapters =
        ctx.cacheDir && group.length > 1
          ? group.map((ch, k) => ({ id: ch.id, htmlFile: path.join(dir, `${ch.id}.html`), html: render(false, [ch]), label: `chapter ${ch.number} (${files[k]}, ${edition} PDF)` }))
          : undefined;
      list.push({ id, htmlFile, label: `${which}, ${edition} PDF)`, chapters });
    }
    input.onLayout?.();
    const r = await paginateParts(session, list, {
      dir,
      timeoutMs: ctx.paginationTimeoutMs,
      cacheDir: ctx.cacheDir ? path.join(ctx.cacheDir, 'pages') : undefined,
      concurrency: input.concurrency,
      pages: input.pages,
      printing: ctx.printing,
      chunkPages: ctx.chunkPages,
      garbagePages: ctx.garbagePages,
      fontPlan: input.fontPlan,
      onMap: input.onMap,
      merge: (c, pdf) => assembler.add(c, pdf),
      progress: (done, total) =>
        ctx.logger.progress?.({
          publication: meta.slug,
          stage: `paginate-${edition}`,
          message: `paginating the ${edition} PDF`,
          current: done,
          total,
          unit: 'part',
          alongside: true,
        }),
    });
    result = r;
    layout = r.stats;
  } else {
    const htmlFile = path.join(dir, 'book.html');
    fs.writeFileSync(htmlFile, render(true, input.chapters));
    input.onLayout?.();
    result = await paginate(session, { htmlFile, allowedRoots: [dir], timeoutMs: ctx.paginationTimeoutMs, label, fontPlan: input.fontPlan });
    input.onMap?.(result.map);
  }
  input.onPrinted?.();
  const owners = result.owners ?? new Map();
  const printed: PrintedBook = !Array.isArray(result.pdf)
    ? { kind: 'document', bytes: result.pdf }
    : result.merged
      ? { kind: 'merged', owners }
      : { kind: 'chunks', chunks: result.pdf, owners };
  // Asked for at once: the worker finishes the book right after the last chunk, however busy this thread is.
  const finishing = assembler.finish(
    printed,
    result.map,
    {
      title: meta.title,
      authors: meta.authors.map((a) => a.name),
      subject: meta.description,
      keywords: meta.keywords,
      language: meta.language,
      date: input.date,
      creator: 'Colophon',
    },
    { print: edition === 'print' },
  );
  finishing.catch(() => undefined);
  // A chunk the merge refused fails the book too; its own error says more.
  await result.merging;
  const finished = await finishing;
  return { bytes: finished.bytes, pages: finished.pages, map: result.map, layout };
}
