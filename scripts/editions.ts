/**
 * Builds every requested edition of one publication into a staging folder:
 * the screen and print PDFs, the EPUB and the web edition, plus a small
 * manifest (publication.json) that the catalog page reads.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FORMATS, type BuildContext, type Format } from './context.ts';
import { linkOrCopy } from './write/place-file.ts';
import type { ParsedChapter, Publication } from './model.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { EpubChapter } from './package/epub.ts';
import { findChromium, type BrowserSession } from './browser.ts';
import { publicationIdentifier } from './identifier.ts';
import { loadTheme, type Theme } from './render/theme.ts';
import { bookView, chapterView, type BookView } from './render/view-model.ts';
import type { Edition } from './render/page-css.ts';
import { rewriteImageSources, writeSiteAssets } from './render/assets.ts';
import { markBlockPositions } from './render/print-tree.ts';
import { printHtml } from './render/print-html.ts';
import { codePointsOf, readFontFaces, selectFaces, type FontFace } from './fonts/font-faces.ts';
import { checkGlyphs } from './fonts/glyph-check.ts';
import { languagesOf, planFontLoads, type FontPlan } from './fonts/font-plan.ts';
import type { PageMap } from './paginate/paginate.ts';
import type { PdfEdition } from './paginate/pdf-edition.ts';
import type { LayoutStats } from './paginate/parts.ts';
import { renderCoverImage, coverFromFile, coverFileExt, DRAWN_COVER_EXT } from './render/cover-image.ts';
import { chapterOfIds, resolveEpubLinks } from './package/epub-links.ts';
import { buildDate } from './build-date.ts';
import type { OutputFile } from './web/downloads.ts';
import { renderWebEdition, webChapterViews, type WebChapterView } from './web/web-edition.ts';
import { localiseNoteLinks } from './render/note-links.ts';
import { timed } from './build.ts';
import { markUsed, writeCacheEntry } from './write/cache-entry.ts';
import { pdfEditions, prepareWorkerPages, workersPerEdition, type WarmStart, type WorkerPages } from './paginate/worker-pages.ts';
import { makeWorkDir } from './write/work-dir.ts';
import { yieldToEvents } from './util/yield.ts';
import { createStaging, replaceDir } from './write/atomic.ts';
import { settleable } from './util/settleable.ts';

export interface PublicationResult {
  slug: string;
  title: string;
  dir: string;
  outputs: OutputFile[];
  /** Where chapters, sections and page numbers landed in each PDF edition. */
  pageMaps: Partial<Record<Edition, PageMap>>;
  /** Parts laid out for each PDF edition and how many came from the cache. */
  layout: Partial<Record<Edition, LayoutStats>>;
}

export interface PublicationManifest {
  book: BookView;
  outputs: OutputFile[];
  thumbnail: string | null;
}

export async function buildEditions(
  ctx: BuildContext,
  pub: Publication,
  chapters: ParsedChapter[],
  staging: string,
  browser: () => Promise<BrowserSession>,
  timings: Record<string, number>,
  /** What was started for this book while its chapters were parsed. */
  head: HeadStart,
  /** Told once this book needs the browser no more: every page printed, the cover drawn. */
  onBrowserDone?: () => void,
): Promise<PublicationResult> {
  const { meta } = pub;
  const { theme, book, work, themeFaces } = head;
  const identifier = book.identifier;
  const strings = theme.strings(meta.language);
  const date = buildDate(ctx, pub);
  // Between steps, the browser's pages get ready (util/yield.ts).
  await yieldToEvents();
  const { faces, codePoints } = usedFaces(themeFaces, theme, pub, chapters);
  await yieldToEvents();
  // Characters no theme font can draw would print as empty boxes: say where they are.
  const glyphCache = ctx.cacheDir ? { dir: path.join(ctx.cacheDir, 'glyphs'), keep: (write: () => void) => ctx.onSuccess.push(write) } : undefined;
  for (const d of checkGlyphs(chapters, themeFaces, ctx.displayPath, glyphCache)) ctx.logger.warn(d);
  await yieldToEvents();
  const images = [...new Set(chapters.flatMap((c) => c.images))].sort();
  const outputs: OutputFile[] = [];
  const pageMaps: PublicationResult['pageMaps'] = {};
  const layout: PublicationResult['layout'] = {};
  const slug = meta.slug;
  const showHead = meta.layout === 'book' || chapters.length > 1;

  const media = (rel: string) => `assets/media/${rel}`;
  // Print HTML: notes at the foot of the page, page numbers for cross-references, soft hyphens.
  // The same for both PDF editions and the preview: hyphenated once.
  let printViews: Promise<Array<ReturnType<typeof chapterView> & { showHead: boolean }>> | undefined;
  const printChapters = () =>
    (printViews ??= printHtml(chapters, {
      media,
      seePage: strings.seePage,
      cacheDir: ctx.cacheDir ? path.join(ctx.cacheDir, 'print-html') : undefined,
      toolRoot: ctx.toolRoot,
      keep: (write) => ctx.onSuccess.push(write),
    }).then((html) => chapters.map((ch, i) => ({ ...chapterView(ch, html[i]), showHead }))));

  // The faces the PDF editions' layouts load first: made once, for both.
  let plan: FontPlan | undefined;
  const fontPlan = () => (plan ??= planFontLoads(faces, codePoints, languagesOf(pub, chapters), ctx.cacheDir ? { dir: path.join(ctx.cacheDir, 'font-plans'), keep: (write) => ctx.onSuccess.push(write) } : undefined));

  const writePreview = async (dir: string) => {
    const { writePrintPreview } = await import('./paginate/print-preview.ts');
    writePrintPreview({ ctx, pub, theme, book, strings, edition: 'screen', faces, images, chapters: await printChapters(), dir: path.join(dir, 'preview') });
  };
  // The web edition's chapters: made once, for the early web edition and the build's own.
  let views: Promise<WebChapterView[]> | undefined;
  const webViews = () => (views ??= webChapterViews({ slug, theme, chapters, showHead, media, logger: ctx.logger }));
  // The cover, the web edition with links to `outputs`, and the manifest, in a publication's folder.
  const writeWebAndManifest = async (dir: string, outputs: OutputFile[], cover: Cover | undefined) => {
    if (cover) fs.writeFileSync(path.join(dir, `cover${cover.ext}`), cover.data);
    const listed = [...outputs];
    if (ctx.formats.has('web')) {
      ctx.logger.step(`${slug}: writing the web edition`);
      const html = await timed(timings, 'web', async () => {
        const assets = writeSiteAssets(dir, { theme, faces, images, publicationDir: pub.dir, css: ['base.css', 'web.css'] });
        return renderWebEdition({
          theme,
          book,
          views: await webViews(),
          stylesheets: assets.stylesheets,
          cover: cover ? { file: `cover${cover.ext}`, data: cover.data } : undefined,
          outputs,
        });
      });
      fs.writeFileSync(path.join(dir, 'index.html'), html);
      listed.push({ kind: 'web', file: 'index.html', bytes: Buffer.byteLength(html) });
    }
    const manifest: PublicationManifest = { book, outputs: listed, thumbnail: cover ? `cover${cover.ext}` : null };
    fs.writeFileSync(path.join(dir, 'publication.json'), JSON.stringify(manifest, null, 2) + '\n');
    return listed;
  };
  const editions = pdfEditions(ctx);
  // With onEarlyWeb, the web edition and preview go to <slug>/ while the PDFs are laid out (below).
  const early = Boolean(ctx.onEarlyWeb && ctx.formats.has('web') && (editions.length || ctx.formats.has('epub')));
  let closeWorker: (() => Promise<void> | undefined) | undefined;

  try {
    if (ctx.printPreview && !early) await writePreview(staging);

    const coverExt = meta.cover ? coverFileExt(meta.cover) : DRAWN_COVER_EXT;
    const coverWork = head.cover;

    const concurrency = workersPerEdition(editions.length);
    // One worker thread merges and finishes both editions (pdf-assembler.ts); one of our own loads pdf-lib while the parts are laid out.
    const own = editions.length && (!ctx.pdfWorker || ctx.pdfWorker.stopped) ? (await import('./paginate/pdf-assembler.ts')).startPdfWorker() : undefined;
    const pdfWorker = own ?? ctx.pdfWorker;
    closeWorker = () => own?.close();
    // Each edition's page map, known before its PDF is printed and finished.
    const mapsOf = editions.map(() => settleable<PageMap>());
    // Each edition says when its layout is under way: Node mostly waits for Chromium from then on.
    const layingOut = editions.map(() => settleable());
    const printed = editions.map(() => settleable());
    if (onBrowserDone) {
      Promise.all([...printed.map((p) => p.promise), coverWork]).then(onBrowserDone, () => undefined);
    }
    const running = editions.map(async (edition, e) => {
      // The two editions are laid out side by side, and shown so.
      const stage = { publication: slug, stage: `paginate-${edition}`, message: `paginating the ${edition} PDF`, alongside: true };
      if (ctx.logger.progress) ctx.logger.progress(stage);
      else ctx.logger.step(`${slug}: ${stage.message}`);
      // Loaded only for PDFs: pdf-lib and the pagination modules take a quarter of a second to load.
      const { buildPdfEdition } = await import('./paginate/pdf-edition.ts');
      const pdf = await timed(timings, stage.stage, async () =>
        buildPdfEdition({
          ctx,
          pub,
          theme,
          book,
          strings,
          edition,
          faces,
          fontPlan: fontPlan(),
          images,
          chapters: await printChapters(),
          dir: path.join(work, edition),
          date,
          browser,
          concurrency,
          pages: head.pages?.[edition],
          onMap: mapsOf[e].resolve,
          onLayout: layingOut[e].resolve,
          onPrinted: printed[e].resolve,
          pdfWorker: pdfWorker!,
        }),
      );
      ctx.logger.progress?.({ ...stage, pages: pdf.pages, done: true });
      return pdf;
    });
    const packageTheEpub = async (cover: Promise<{ data: Uint8Array }>, pageMap: PageMap | undefined): Promise<Uint8Array> => {
      ctx.logger.step(`${slug}: packaging the EPUB`);
      const flat = (rel: string) => `images/${rel.replace(/^images\//, '').replace(/[\\/]/g, '-')}`;
      const owner = chapterOfIds(chapters);
      // A chapter's links resolve against every chapter's ids: its kept XHTML (package/epub.ts) is kept under them too.
      const owners = ctx.cacheDir ? createHash('sha256').update(JSON.stringify([...owner])).digest('hex') : undefined;
      // Blocks numbered as for print, so that the print page map places page-break markers.
      const epubChapters: EpubChapter[] = chapters.map((ch) => ({
        ...chapterView(ch, ''),
        // Made only for a chapter whose XHTML is not kept.
        tree: () => {
          const warnings: Diagnostic[] = [];
          const tree = localiseNoteLinks(
            resolveEpubLinks(markBlockPositions(rewriteImageSources(ch.tree, flat), ch.id), ch, owner, (id) => `${id}.xhtml`, (d) => void warnings.push(d), ctx.displayPath),
            theme.strings(ch.lang),
          );
          return { tree, warnings };
        },
        // Warnings name the file as this run shows it (relative to the working folder).
        key: ch.key && owners ? createHash('sha256').update(ch.key).update(owners).update(JSON.stringify([theme.strings(ch.lang), ctx.displayPath(ch.source.file)])).digest('hex') : undefined,
      }));
      return timed(timings, 'epub', async () => {
        // Loaded only for EPUBs: epub-gen-memory, jszip and the font subsetter take a tenth of a second to load.
        const { packageEpub, readAsset } = await import('./package/epub.ts');
        return packageEpub({
          book,
          identifier,
          strings,
          chapters: epubChapters,
          languages: [...new Set(chapters.map((c) => c.lang))],
          contributors: [...new Set(chapters.flatMap((c) => c.authors.map((a) => a.name)))].filter(
            (n) => !meta.authors.some((a) => a.name === n),
          ),
          // Packaged while the cover is drawn: only the archive waits for its bytes.
          cover: { href: `cover${coverExt}`, mediaType: coverExt === '.png' ? 'image/png' : 'image/jpeg', data: coverData(cover) },
          assets: images.map((abs) => readAsset(abs, flat(path.relative(pub.dir, abs).split(path.sep).join('/')))),
          css: theme.file('css/base.css') + '\n' + theme.file('css/epub.css'),
          modified: date,
          theme,
          fonts: theme.fonts,
          pageMap,
          fontCache: ctx.cacheDir ? { dir: path.join(ctx.cacheDir, 'epub-fonts'), keep: (write) => ctx.onSuccess.push(write) } : undefined,
          chapterCache: ctx.cacheDir ? { dir: path.join(ctx.cacheDir, 'epub-chapters'), keep: (write) => ctx.onSuccess.push(write) } : undefined,
          report: ctx.logger.warn,
        });
      });
    };
    // The EPUB's page-break markers follow the print edition (the screen one
    // without). It is packaged once every edition's page map is known (each is
    // handed on once its last pages are being printed): it works in Node while
    // Chromium prints, and holds up no edition still getting its pages ready.
    const mapEdition = editions.includes('print') ? editions.indexOf('print') : editions.length ? 0 : -1;
    const mapOf = (e: number) => Promise.race([mapsOf[e].promise, running[e].then((pdf) => pdf.map)]);
    const epubWork =
      ctx.formats.has('epub') && coverWork
        ? Promise.all(editions.map((_, e) => mapOf(e))).then((maps) => packageTheEpub(coverWork, mapEdition >= 0 ? maps[mapEdition] : undefined))
        : undefined;
    epubWork?.catch(() => undefined);
    // The web edition's chapters are made once every layout is under way.
    if (ctx.formats.has('web')) {
      Promise.all(layingOut.map((l) => l.promise))
        .then(webViews)
        .catch(() => undefined);
    }
    // The web edition and preview of this source, with the editions the last
    // build made, replace <slug>/ while Node would wait for the layout; the
    // build's own folder replaces them once every edition is done.
    const earlyWeb = early
      ? Promise.all(editions.map((_, e) => Promise.race([layingOut[e].promise, running[e].then(() => undefined)]))).then(async () => {
          const dir = await createStaging(ctx.outDir, slug);
          try {
            if (ctx.printPreview) {
              await writePreview(dir);
              await writePreview(staging);
            }
            const kept = keptEditions(path.join(ctx.outDir, slug), dir, new Set<Format>(['web']));
            await writeWebAndManifest(dir, kept.sort(byFormat), await coverWork);
            await replaceDir(dir, path.join(ctx.outDir, slug));
          } catch (error) {
            fs.rmSync(dir, { recursive: true, force: true });
            throw error;
          }
          const { writeCatalog } = await import('./web/catalog.ts');
          await writeCatalog(ctx);
          ctx.onEarlyWeb!(slug);
        })
      : undefined;
    earlyWeb?.catch(() => undefined);
    const settled = await Promise.allSettled(running);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    editions.forEach((edition, i) => {
      const pdf = (settled[i] as PromiseFulfilledResult<PdfEdition>).value;
      const format = edition === 'screen' ? 'pdf' : 'print';
      const file = edition === 'screen' ? `${slug}.pdf` : `${slug}-print.pdf`;
      pageMaps[edition] = pdf.map;
      layout[edition] = pdf.layout;
      fs.writeFileSync(path.join(staging, file), pdf.bytes);
      outputs.push({ kind: format, file, bytes: pdf.bytes.length, pages: pdf.pages });
    });

    if (epubWork) {
      const bytes = await epubWork;
      fs.writeFileSync(path.join(staging, `${slug}.epub`), bytes);
      outputs.push({ kind: 'epub', file: `${slug}.epub`, bytes: bytes.length });
    }

    if (ctx.keepEditions) {
      outputs.push(...keptEditions(path.join(ctx.outDir, slug), staging, ctx.formats));
      outputs.sort(byFormat);
    }
    // Its own folder replaces the early web edition's only after that one is in place.
    await earlyWeb;
    const listed = await writeWebAndManifest(staging, outputs, await coverWork);
    return { slug, title: meta.title, dir: path.join(ctx.outDir, slug), outputs: listed, pageMaps, layout };
  } finally {
    await closeWorker?.();
    if (ctx.htmlDir) fs.cpSync(work, path.join(ctx.htmlDir, slug), { recursive: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}


/**
 * The editions in `previous` (the publication's folder in the output, as its
 * manifest lists them) of the formats this build does not make, placed in
 * `staging` (a hard link: the folder is replaced, the file stays). A manifest
 * or file that is not there keeps nothing.
 */
function keptEditions(previous: string, staging: string, built: ReadonlySet<Format>): OutputFile[] {
  let manifest: Partial<PublicationManifest>;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(previous, 'publication.json'), 'utf8')) as Partial<PublicationManifest>;
  } catch {
    return [];
  }
  const kept: OutputFile[] = [];
  for (const output of Array.isArray(manifest.outputs) ? manifest.outputs : []) {
    if (output.kind === 'web' || built.has(output.kind) || typeof output.file !== 'string') continue;
    // Only a file of the folder itself, as a build names its editions.
    if (path.basename(output.file) !== output.file || !fs.existsSync(path.join(previous, output.file))) continue;
    linkOrCopy(path.join(previous, output.file), path.join(staging, output.file));
    kept.push(output);
  }
  return kept;
}

/** In the order a build of every edition lists them. */
function byFormat(a: OutputFile, b: OutputFile): number {
  return FORMATS.indexOf(a.kind) - FORMATS.indexOf(b.kind);
}

/** Font subsets that meet the characters of the book's text and metadata, and those characters. */
function usedFaces(all: FontFace[], theme: Theme, pub: Publication, chapters: ParsedChapter[]): { faces: FontFace[]; codePoints: Set<number> } {
  const texts = [
    JSON.stringify(pub.meta),
    ...chapters.map((c) => c.source.body),
    ...chapters.map((c) => `${c.title} ${c.subtitle ?? ''} ${c.authors.map((a) => a.name).join(' ')}`),
    ...Object.values(theme.strings(pub.meta.language)),
    '0123456789ivxlcdm–—…“”‘’«»„⁂',
  ];
  const codePoints = codePointsOf(texts);
  return { faces: selectFaces(all, codePoints), codePoints };
}

/** What a build starts for a publication as soon as it is loaded, while its chapters are parsed. */
export interface HeadStart {
  theme: Theme;
  /** Every face of the theme's fonts, read once from their stylesheets. */
  themeFaces: FontFace[];
  book: BookView;
  /** The build's work folder for this book (print HTML, layout, cover). */
  work: string;
  /** Layout pages being made ready for the PDF editions, in `work`. */
  pages?: WorkerPages;
  /** The cover of the EPUB and the web edition on its way: drawn in Chromium, on the other core. */
  cover?: Promise<Cover>;
}

export interface Cover {
  data: Uint8Array;
  ext: string;
}

/**
 * Loads the theme and starts what needs no parsed chapter: the cover (EPUB,
 * web) and, given a browser, the layout pages of the PDF editions.
 */
export function startPublication(
  ctx: BuildContext,
  pub: Publication,
  browser: () => Promise<BrowserSession>,
  pagesIn?: Promise<BrowserSession>,
  /** Pages already made ready, in their work folder (colophon dev). */
  warm?: WarmStart,
  /** The parts each PDF edition is expected to lay out (chapters the parse cache lacks). */
  expected?: number,
): HeadStart {
  const theme = loadTheme(ctx.toolRoot, pub.dir, ctx.displayPath);
  const book = bookView(pub.meta, publicationIdentifier(pub.meta));
  const themeFaces = theme.fonts.flatMap(readFontFaces);
  const work = warm?.work ?? makeWorkDir();
  const head: HeadStart = { theme, themeFaces, book, work, pages: warm?.pages };
  if (pagesIn && !warm) head.pages = prepareWorkerPages(pagesIn, work, pdfEditions(ctx), expected);
  if (ctx.formats.has('epub') || ctx.formats.has('web')) {
    head.cover = pub.meta.cover
      ? Promise.resolve(coverFromFile(path.join(pub.dir, pub.meta.cover)))
      : // The cover shows the book's metadata alone: the faces that draw it.
        drawCover(ctx, theme, book, selectFaces(themeFaces, codePointsOf([JSON.stringify(book)])), work, browser);
    head.cover.catch(() => undefined);
  }
  return head;
}

async function drawCover(
  ctx: BuildContext,
  theme: Theme,
  book: BookView,
  faces: FontFace[],
  work: string,
  browser: () => Promise<BrowserSession>,
): Promise<Cover> {
  const dir = path.join(work, 'cover');
  fs.mkdirSync(dir, { recursive: true });
  const assets = writeSiteAssets(dir, { theme, faces, images: [], publicationDir: dir, css: ['base.css', 'cover.css'] });
  const htmlFile = path.join(dir, 'cover.html');
  fs.writeFileSync(htmlFile, theme.render('cover-image', { book, stylesheets: assets.stylesheets }));
  // Drawn covers are cached by their page, its assets and the Chromium binary,
  // so a rebuild of the EPUB or web edition need not start a browser.
  const file = ctx.cacheDir ? path.join(ctx.cacheDir, 'covers', `${coverKey(dir, findChromium(ctx.chromiumPath))}.jpg`) : undefined;
  if (file && fs.existsSync(file)) {
    markUsed(file);
    return { data: fs.readFileSync(file), ext: DRAWN_COVER_EXT };
  }
  const data = await renderCoverImage(await browser(), htmlFile);
  if (file) writeCacheEntry(file, data);
  return { data, ext: DRAWN_COVER_EXT };
}

/** The bytes of the cover on their way; a failure is reported where the cover itself is awaited. */
function coverData(work: Promise<{ data: Uint8Array }>): Promise<Uint8Array> {
  const data = work.then((c) => c.data);
  data.catch(() => undefined);
  return data;
}

function coverKey(dir: string, chromium: string): string {
  const h = createHash('sha256');
  const stat = fs.statSync(chromium);
  h.update(`${fs.realpathSync(chromium)} ${stat.size} ${stat.mtimeMs}`);
  for (const rel of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const abs = path.join(dir, rel);
    if (fs.statSync(abs).isFile()) h.update(rel).update(fs.readFileSync(abs));
  }
  return h.digest('hex');
}
