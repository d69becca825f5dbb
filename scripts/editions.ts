/**
 * Builds every requested edition of one publication into a staging folder:
 * the screen and print PDFs, the EPUB and the web edition, plus a small
 * manifest (publication.json) that the catalog page reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toHtml } from 'hast-util-to-html';
import type { BuildContext } from './context.ts';
import type { ParsedChapter, Publication } from './model.ts';
import type { BrowserSession } from './browser.ts';
import { publicationIdentifier } from './identifier.ts';
import { loadTheme, type Theme } from './render/theme.ts';
import { bookView, chapterView, type BookView } from './render/view-model.ts';
import { pageCss, type Edition } from './render/page-css.ts';
import { rewriteImageSources, writeSiteAssets } from './render/assets.ts';
import { footnotesToPageNotes, markBlockPositions, markCrossReferences } from './render/print-tree.ts';
import { hyphenateTree } from './render/hyphenate.ts';
import { codePointsOf, readFontFaces, selectFaces, type FontFace } from './fonts/font-faces.ts';
import { checkGlyphs } from './fonts/glyph-check.ts';
import { paginate, type PageMap } from './paginate/paginate.ts';
import { finishPdf } from './paginate/pdf-finish.ts';
import { renderCoverImage, coverFromFile } from './render/cover-image.ts';
import { packageEpub, readAsset } from './package/epub.ts';
import { toXhtml } from './package/xhtml.ts';
import { chapterOfIds, resolveEpubLinks } from './package/epub-links.ts';
import { buildDate } from './build-date.ts';
import { downloadLinks, type OutputFile } from './web/downloads.ts';
import { timed } from './build.ts';

export interface PublicationResult {
  slug: string;
  title: string;
  dir: string;
  outputs: OutputFile[];
  /** Where chapters, sections and page numbers landed in each PDF edition. */
  pageMaps: Partial<Record<Edition, PageMap>>;
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
): Promise<PublicationResult> {
  const { meta } = pub;
  const theme = loadTheme(ctx.toolRoot, pub.dir, ctx.displayPath);
  const identifier = publicationIdentifier(meta);
  const book = bookView(meta, identifier);
  const strings = theme.strings(meta.language);
  const date = buildDate(ctx, pub);
  const faces = usedFaces(theme, pub, chapters);
  // Characters no theme font can draw would print as empty boxes: say where they are.
  for (const d of checkGlyphs(chapters, theme.fonts.flatMap(readFontFaces), ctx.displayPath)) ctx.logger.warn(d);
  const images = [...new Set(chapters.flatMap((c) => c.images))].sort();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-work-'));
  const outputs: OutputFile[] = [];
  const pageMaps: PublicationResult['pageMaps'] = {};
  const slug = meta.slug;
  const showHead = meta.layout === 'book' || chapters.length > 1;

  const media = (rel: string) => `assets/media/${rel}`;
  const webChapters = () => chapters.map((ch) => ({ ...chapterView(ch, toHtml(rewriteImageSources(ch.tree, media))), showHead }));
  // Print HTML: notes at the foot of the page, page numbers for cross-references, soft hyphens.
  const printChapters = () =>
    chapters.map((ch) => {
      const tree = markBlockPositions(rewriteImageSources(ch.tree, media), ch.id);
      footnotesToPageNotes(markCrossReferences(hyphenateTree(tree, ch.lang), strings.seePage));
      return { ...chapterView(ch, toHtml(tree)), showHead };
    });

  try {
    for (const edition of ['screen', 'print'] as Edition[]) {
      const format = edition === 'screen' ? 'pdf' : 'print';
      if (!ctx.formats.has(format)) continue;
      const file = edition === 'screen' ? `${slug}.pdf` : `${slug}-print.pdf`;
      const dir = path.join(work, edition);
      fs.mkdirSync(dir, { recursive: true });
      const assets = writeSiteAssets(dir, {
        theme,
        faces,
        images,
        publicationDir: pub.dir,
        css: ['base.css', 'print.css'],
        extraCss: pageCss(meta, edition),
      });
      const html = theme.render('print', {
        book,
        strings,
        edition,
        showCover: edition === 'screen',
        stylesheets: assets.stylesheets,
        chapters: printChapters(),
      });
      const htmlFile = path.join(dir, 'book.html');
      fs.writeFileSync(htmlFile, html);
      ctx.logger.step(`${slug}: paginating the ${edition} PDF`);
      const session = await browser();
      const { pdf, map } = await timed(timings, `paginate-${edition}`, () =>
        paginate(session, {
          htmlFile,
          allowedRoots: [dir],
          timeoutMs: ctx.paginationTimeoutMs,
          label: `${ctx.displayPath(pub.bookFile)} (${edition} PDF)`,
        }),
      );
      pageMaps[edition] = map;
      const finished = await finishPdf(
        pdf,
        map,
        {
          title: meta.title,
          authors: meta.authors.map((a) => a.name),
          subject: meta.description,
          keywords: meta.keywords,
          language: meta.language,
          date,
          creator: 'Colophon',
        },
        { print: edition === 'print' },
      );
      fs.writeFileSync(path.join(staging, file), finished.bytes);
      outputs.push({ kind: format, file, bytes: finished.bytes.length, pages: finished.pages });
    }

    let cover: { data: Uint8Array; ext: string } | undefined;
    const coverNeeded = ctx.formats.has('epub') || ctx.formats.has('web');
    if (coverNeeded) {
      cover = meta.cover ? coverFromFile(path.join(pub.dir, meta.cover)) : await drawCover(theme, book, faces, work, browser);
      fs.writeFileSync(path.join(staging, `cover${cover.ext}`), cover.data);
    }

    if (ctx.formats.has('epub') && cover) {
      ctx.logger.step(`${slug}: packaging the EPUB`);
      const flat = (rel: string) => `images/${rel.replace(/^images\//, '').replace(/[\\/]/g, '-')}`;
      const owner = chapterOfIds(chapters);
      const epubChapters = chapters.map((ch) => {
        const tree = resolveEpubLinks(rewriteImageSources(ch.tree, flat), ch, owner, (id) => `${id}.xhtml`, ctx.logger.warn, ctx.displayPath);
        return chapterView(ch, toXhtml(tree));
      });
      const bytes = await timed(timings, 'epub', () =>
        packageEpub({
          book,
          identifier,
          strings,
          chapters: epubChapters,
          languages: [...new Set(chapters.map((c) => c.lang))],
          contributors: [...new Set(chapters.flatMap((c) => c.authors.map((a) => a.name)))].filter(
            (n) => !meta.authors.some((a) => a.name === n),
          ),
          cover: { href: `cover${cover!.ext}`, mediaType: cover!.ext === '.png' ? 'image/png' : 'image/jpeg', data: cover!.data },
          assets: images.map((abs) => readAsset(abs, flat(path.relative(pub.dir, abs).split(path.sep).join('/')))),
          css: theme.file('css/base.css') + '\n' + theme.file('css/epub.css'),
          modified: date,
          theme,
        }),
      );
      fs.writeFileSync(path.join(staging, `${slug}.epub`), bytes);
      outputs.push({ kind: 'epub', file: `${slug}.epub`, bytes: bytes.length });
    }

    if (ctx.formats.has('web')) {
      ctx.logger.step(`${slug}: writing the web edition`);
      const assets = writeSiteAssets(staging, {
        theme,
        faces,
        images,
        publicationDir: pub.dir,
        css: ['base.css', 'web.css'],
      });
      const html = theme.render('web', {
        book,
        strings,
        stylesheets: assets.stylesheets,
        coverImage: cover ? `cover${cover.ext}` : null,
        downloads: downloadLinks(outputs, strings, meta.language),
        chapters: webChapters(),
      });
      fs.writeFileSync(path.join(staging, 'index.html'), html);
      outputs.push({ kind: 'web', file: 'index.html', bytes: Buffer.byteLength(html) });
    }

    const manifest: PublicationManifest = { book, outputs, thumbnail: cover ? `cover${cover.ext}` : null };
    fs.writeFileSync(path.join(staging, 'publication.json'), JSON.stringify(manifest, null, 2) + '\n');
    return { slug, title: meta.title, dir: path.join(ctx.outDir, slug), outputs, pageMaps };
  } finally {
    if (ctx.htmlDir) fs.cpSync(work, path.join(ctx.htmlDir, slug), { recursive: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Font subsets that meet the characters of the book's text and metadata. */
function usedFaces(theme: Theme, pub: Publication, chapters: ParsedChapter[]): FontFace[] {
  const texts = [
    JSON.stringify(pub.meta),
    ...chapters.map((c) => c.source.body),
    ...chapters.map((c) => `${c.title} ${c.subtitle ?? ''} ${c.authors.map((a) => a.name).join(' ')}`),
    ...Object.values(theme.strings(pub.meta.language)),
    '0123456789ivxlcdm–—…“”‘’«»„⁂',
  ];
  const all = theme.fonts.flatMap(readFontFaces);
  return selectFaces(all, codePointsOf(texts));
}

async function drawCover(
  theme: Theme,
  book: BookView,
  faces: FontFace[],
  work: string,
  browser: () => Promise<BrowserSession>,
): Promise<{ data: Uint8Array; ext: string }> {
  const dir = path.join(work, 'cover');
  fs.mkdirSync(dir, { recursive: true });
  const assets = writeSiteAssets(dir, { theme, faces, images: [], publicationDir: dir, css: ['base.css', 'cover.css'] });
  const htmlFile = path.join(dir, 'cover.html');
  fs.writeFileSync(htmlFile, theme.render('cover-image', { book, stylesheets: assets.stylesheets }));
  return { data: await renderCoverImage(await browser(), htmlFile), ext: '.jpg' };
}
