/**
 * EPUB 3 (with NCX) through epub-gen-memory. We keep it as the generator but
 * give it our own templates (OPF, nav, NCX, chapter) and hand it finished
 * XHTML, because its own HTML clean-up drops attributes we need (lang on
 * spans, scope, width/height) and invents alt text. Images, fonts and the
 * cover are added from local files; the archive is then rewritten
 * reproducibly (epub-gen-memory stamps random ids and the current time).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EPub } from 'epub-gen-memory';
import type JSZip from 'jszip';
import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';
import type { Theme } from '../render/theme.ts';
import type { BookView, ChapterView, TocEntry } from '../render/view-model.ts';
import type { FontFamilySpec } from '../fonts/font-faces.ts';
import { embedFonts, textOfXhtml, type FontCache } from './epub-fonts.ts';
import type { PageMap } from '../paginate/paginate.ts';
import { applyImageSizes, prepareImages } from './epub-images.ts';
import { footnotesToAsides } from './epub-notes.ts';
import { clearBlockPositions, insertPageBreaks, pageId, pageStartsByChapter, type PageTarget } from './epub-pages.ts';
import { escapeXml, toXhtml } from './xhtml.ts';
import { reproducibleZip, zipEntries } from './zip.ts';
import { yieldToEvents } from '../util/yield.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { codeVersion } from '../util/code-version.ts';
import { toolFile, toolRoot } from '../util/package-dir.ts';
import { readCacheEntry, writeCacheEntry } from '../write/cache-entry.ts';

export interface EpubAsset {
  /** Path inside OEBPS/. */
  href: string;
  mediaType: string;
  data: Uint8Array;
}

export interface EpubInput {
  book: BookView;
  identifier: string;
  strings: Record<string, string>;
  chapters: EpubChapter[];
  /** Extra chapter languages to declare besides the book's. */
  languages: string[];
  contributors: string[];
  /** The cover: its bytes may still be on their way (drawn in Chromium while the rest is packaged). */
  cover: Omit<EpubAsset, 'data'> & { data: Uint8Array | Promise<Uint8Array> };
  assets: EpubAsset[];
  css: string;
  /** Used for dcterms:modified and zip timestamps. */
  modified: Date;
  theme: Theme;
  /** Font families to embed, subset to the characters of the book (none: the reader's fonts). */
  fonts?: FontFamilySpec[];
  /** The page map of a PDF built in the same run: print page numbers become page-break markers. */
  pageMap?: PageMap;
  /** Where font subsets are kept between builds (epub-fonts.ts); none: no cache. */
  fontCache?: FontCache;
  /**
   * Where each chapter's finished XHTML is kept between builds, under its
   * key and everything else it is made from (its page-break markers, the
   * image sizes, the book, this module's code and the templates): a rebuild
   * after an edit makes again only the chapters that changed (or whose print
   * pages moved). None: no cache.
   */
  chapterCache?: { dir: string; keep: (write: () => void) => void };
  /** Told the warnings made while a chapter's tree was made, and again each time its kept XHTML is used. */
  report?: (d: Diagnostic) => void;
}

export interface EpubChapter extends ChapterView {
  /**
   * The chapter's tree, links already resolved for the EPUB and blocks numbered
   * with markBlockPositions (as for print); serialised here, after notes,
   * page breaks and image sizes are applied. `html` is then ignored. Or how
   * to make it, with the warnings that made: called only when the chapter's
   * XHTML is not kept.
   */
  tree: Root | (() => { tree: Root; warnings: Diagnostic[] });
  /** With `chapterCache`: what the tree is made from (the parsed chapter, the links it resolves, its strings). */
  key?: string;
}

/** What is kept of a chapter: its XHTML, the folios whose markers it holds, and what the book needs to know of it. */
interface MadeChapter {
  xhtml: string;
  placed: string[];
  everyImageHasAlt: boolean;
  warnings: Diagnostic[];
}

/** The sources a chapter's XHTML is made by: this folder, the render modules, the glue in editions.ts, the templates. */
const CHAPTER_SOURCES = () => [
  toolFile('scripts', 'package'),
  toolFile('scripts', 'render'),
  toolFile('scripts', 'editions.ts'),
  toolFile('templates', 'layouts'),
  toolFile('templates', 'partials'),
];

/** The marker of a print page break, as in the chapter bodies. */
export function pageBreakXhtml(folio: string): string {
  return `<span epub:type="pagebreak" role="doc-pagebreak" id="${escapeXml(pageId(folio))}" aria-label="${escapeXml(folio)}"></span>`;
}

export async function packageEpub(input: EpubInput): Promise<Uint8Array> {
  const { book, strings, theme } = input;
  const images = await prepareImages(input.assets.filter((a) => a.mediaType.startsWith('image/')));
  const otherAssets = input.assets.filter((a) => !a.mediaType.startsWith('image/'));
  const starts = input.pageMap ? pageStartsByChapter(input.pageMap) : new Map();
  const placed = new Map<string, string>();
  let everyImageHasAlt = true;
  const chapters = [];
  const cache = input.chapterCache;
  const shared =
    cache &&
    createHash('sha256')
      .update(codeVersion(toolRoot(), CHAPTER_SOURCES()))
      .update(JSON.stringify([book, strings, [...images.resized]]))
      .digest('hex');
  for (const ch of input.chapters) {
    const pageStarts = starts.get(ch.id) ?? [];
    const { tree: _tree, key, ...view } = ch;
    const file =
      shared && key ? path.join(cache.dir, `${createHash('sha256').update(shared).update(key).update(JSON.stringify([view, pageStarts])).digest('hex')}.json`) : undefined;
    let made = file ? readMade(file) : undefined;
    if (!made) {
      made = makeChapter(input, ch, view, pageStarts, images.resized);
      if (file) {
        const kept = JSON.stringify(made);
        cache!.keep(() => writeCacheEntry(file, kept));
      }
    }
    for (const w of made.warnings) input.report?.(w);
    for (const folio of made.placed) placed.set(folio, ch.xhtmlFile);
    if (!made.everyImageHasAlt) everyImageHasAlt = false;
    chapters.push({ ...ch, xhtml: made.xhtml });
    // Packaged while the PDFs are printed and merged: what waits on the event loop is answered between chapters.
    await yieldToEvents();
  }
  // Page order is reading order: the page list follows the PDF's pages.
  const pageList: PageTarget[] = [];
  input.pageMap?.folios.forEach((folio) => {
    const file = placed.get(folio);
    if (file && !pageList.some((p) => p.label === folio)) pageList.push({ label: folio, href: `${file}#${pageId(folio)}` });
  });
  const chapterFiles = chapters.map((ch) => ({
    id: ch.id,
    filename: ch.xhtmlFile,
    title: ch.title,
    xmlLang: ch.lang,
    dir: ch.dir,
    bodyType: 'bodymatter',
    xhtml: ch.xhtml,
    content: '',
  }));
  const coverFile = {
    id: 'cover',
    filename: 'cover.xhtml',
    title: strings.cover,
    xmlLang: book.language,
    dir: book.dir,
    bodyType: 'cover',
    xhtml: coverXhtml(input),
    content: '',
    beforeToc: true,
    excludeFromToc: true,
  };
  const fonts = input.fonts?.length
    ? await embedFonts(input.fonts, [...chapterFiles.map((f) => f.xhtml), coverFile.title, book.title, strings.contents].map(textOfXhtml).join('\n'), input.fontCache)
    : { assets: [], css: '' };
  const assets = [...images.assets, ...otherAssets, ...fonts.assets];
  const toc = chapters.map((ch) => ({ href: ch.xhtmlFile, title: ch.title, sections: ch.sections }));
  const c = {
    book,
    identifier: input.identifier,
    strings,
    contributors: input.contributors,
    extraLanguages: input.languages.filter((l) => l !== book.language),
    description: book.description ?? book.title,
    modified: input.modified.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    hasImages: images.assets.length > 0,
    accessibilitySummary:
      'This publication has a table of contents, structured headings, a logical reading order and language ' +
      'markup for every passage' +
      (images.assets.length ? '; images have text alternatives' : '') +
      (pageList.length ? '; page break markers and a page list follow the print edition' : '') +
      '.',
    pageList,
    pageListTitle: (strings.pages ?? 'pages').replace(/^./, (ch) => ch.toLocaleUpperCase(book.language)),
    // The page numbers are those of the print edition of this same book.
    pageSource: pageList.length ? (book.isbn ? `urn:isbn:${book.isbn.replace(/[^0-9Xx]/g, '')}` : `${book.title} (print edition)`) : null,
    // dcterms:conformsTo is a claim, made only when it is checked: tests run Ace by DAISY (no serious or
    // critical violations) and EPUBCheck on the sample and every fixture, and `colophon check` runs both on
    // every build. The build cannot afford Ace (a browser, seconds per chapter), so it guards what a book's
    // author controls and the theme does not: an image without an alt attribute. Everything else Ace tests
    // (language, structure, landmarks, page-break labels, contrast of the theme) is fixed by the templates.
    conformsTo: everyImageHasAlt,
    cover: { href: input.cover.href, mediaType: input.cover.mediaType },
    assets: assets.map((a, i) => ({ id: `asset-${i + 1}`, href: a.href, mediaType: a.mediaType })),
    toc,
    renderSections: (base: string, sections: TocEntry[]) => navList(base, sections),
    bodyStart: chapters[0]?.xhtmlFile ?? 'toc.xhtml',
    bodyStartTitle: chapters[0]?.title ?? strings.contents,
    ncxDepth: 1 + maxDepth(toc.flatMap((t) => t.sections)),
    ncxPoints: ncxPoints(toc),
  };
  const epub = new EPub(
    {
      title: book.title,
      author: book.authors.map((a) => a.name),
      publisher: book.publisher ?? '',
      description: c.description,
      lang: book.language,
      tocTitle: strings.contents,
      css: stylesheet(fonts.css, input.css),
      version: 3,
      verbose: false,
      ignoreFailedDownloads: false,
      numberChaptersInTOC: false,
      prependChapterTitles: false,
      contentOPF: theme.file('epub/content.opf.ejs'),
      tocXHTML: theme.file('epub/toc.xhtml.ejs'),
      tocNCX: theme.file('epub/toc.ncx.ejs'),
      chapterXHTML: theme.file('epub/chapter.xhtml.ejs'),
      // Extra option read by our templates as `c`.
      ...({ c } as object),
    },
    [coverFile, ...chapterFiles],
  );
  await epub.render();
  // `zip` is protected in the typings; it is the archive render() filled.
  const files = await zipEntries((epub as unknown as { zip: JSZip }).zip);
  files.set(`OEBPS/${input.cover.href}`, await input.cover.data);
  for (const a of assets) files.set(`OEBPS/${a.href}`, a.data);
  return reproducibleZip(files, input.modified);
}

/** A chapter's XHTML: notes as asides, image sizes, print page-break markers, through the theme's template. */
function makeChapter(
  input: EpubInput,
  ch: EpubChapter,
  view: Omit<EpubChapter, 'tree' | 'key'>,
  pageStarts: Parameters<typeof insertPageBreaks>[2],
  resized: Map<string, { width: number; height: number }>,
): MadeChapter {
  const given = typeof ch.tree === 'function' ? ch.tree() : { tree: ch.tree, warnings: [] };
  const tree = applyImageSizes(footnotesToAsides(given.tree), resized);
  const pages = insertPageBreaks(tree, ch.id, pageStarts);
  clearBlockPositions(tree);
  let everyImageHasAlt = true;
  visit(tree, 'element', (node: Element) => {
    if (node.tagName === 'img' && typeof node.properties.alt !== 'string') everyImageHasAlt = false;
  });
  const chapter = { ...view, html: toXhtml(tree) };
  const xhtml = input.theme.render('epub-chapter', { chapter, book: input.book, strings: input.strings, pageStart: pages.leading ? pageBreakXhtml(pages.leading) : '' });
  return { xhtml, placed: [...pages.placed], everyImageHasAlt, warnings: given.warnings };
}

/** A kept chapter, or undefined when there is none or it cannot be read (it is made again then). */
function readMade(file: string): MadeChapter | undefined {
  const kept = readCacheEntry(file);
  if (!kept) return undefined;
  try {
    const made = JSON.parse(kept.toString('utf8')) as MadeChapter;
    return typeof made.xhtml === 'string' && Array.isArray(made.placed) && Array.isArray(made.warnings) ? made : undefined;
  } catch {
    return undefined;
  }
}

/** @namespace rules must precede every other rule (else they are ignored), so they are hoisted above the fonts and the theme. */
function stylesheet(fontCss: string, css: string): string {
  const namespaces = [...new Set(css.match(/@namespace[^;]*;/g) ?? [])];
  const rest = css.replace(/@namespace[^;]*;\n?/g, '');
  return [...namespaces, fontCss, rest].filter(Boolean).join('\n');
}

function coverXhtml(input: EpubInput): string {
  const alt = `${input.strings.cover}: ${input.book.title}${input.book.authorLine ? ', ' + input.book.authorLine : ''}`;
  return `<section class="cover-page" epub:type="cover" aria-label="${escapeXml(input.strings.cover)}">
<img role="doc-cover" src="${escapeXml(input.cover.href)}" alt="${escapeXml(alt)}"/>
</section>`;
}

function navList(base: string, sections: TocEntry[]): string {
  if (!sections.length) return '';
  const items = sections
    .map((s) => `<li><a href="${base}#${escapeXml(s.id)}">${escapeXml(s.text)}</a>${navList(base, s.children)}</li>`)
    .join('');
  return `<ol>${items}</ol>`;
}

function maxDepth(entries: TocEntry[]): number {
  return entries.length ? 1 + Math.max(...entries.map((e) => maxDepth(e.children))) : 0;
}

function ncxPoints(toc: Array<{ href: string; title: string; sections: TocEntry[] }>): string {
  let order = 0;
  const point = (id: string, label: string, src: string, kids: string): string =>
    `<navPoint id="${escapeXml(id)}" playOrder="${++order}"><navLabel><text>${escapeXml(label)}</text></navLabel><content src="${escapeXml(src)}"/>${kids}</navPoint>`;
  const sections = (base: string, list: TocEntry[]): string =>
    list.map((s) => point(`np-${s.id}`, s.text, `${base}#${s.id}`, sections(base, s.children))).join('\n');
  return toc.map((t) => point(`np-${t.href.replace(/\.xhtml$/, '')}`, t.title, t.href, sections(t.href, t.sections))).join('\n');
}

export function mediaTypeOf(file: string): string {
  const ext = path.extname(file).toLowerCase();
  const types: Record<string, string> = {
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.gif': 'image/gif',
    '.svg': 'image/svg+xml',
    '.webp': 'image/webp',
    '.woff': 'font/woff',
    '.woff2': 'font/woff2',
    '.ttf': 'font/ttf',
    '.otf': 'font/otf',
  };
  return types[ext] ?? 'application/octet-stream';
}

export function readAsset(abs: string, href: string): EpubAsset {
  return { href, mediaType: mediaTypeOf(abs), data: fs.readFileSync(abs) };
}
