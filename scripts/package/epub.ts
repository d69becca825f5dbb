/**
 * EPUB 3 (with NCX) through epub-gen-memory. We keep it as the generator but
 * give it our own templates (OPF, nav, NCX, chapter) and hand it finished
 * XHTML, because its own HTML clean-up drops attributes we need (lang on
 * spans, scope, width/height) and invents alt text. Images, fonts and the
 * cover are added from local files; the archive is then rewritten
 * reproducibly (epub-gen-memory stamps random ids and the current time).
 */
import fs from 'node:fs';
import path from 'node:path';
import { EPub } from 'epub-gen-memory';
import type JSZip from 'jszip';
import type { Theme } from '../render/theme.ts';
import type { BookView, ChapterView, TocEntry } from '../render/view-model.ts';
import { escapeXml } from './xhtml.ts';
import { reproducibleZip, zipEntries } from './zip.ts';

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
  /** Chapters with `html` already serialised as XHTML for the EPUB. */
  chapters: ChapterView[];
  /** Extra chapter languages to declare besides the book's. */
  languages: string[];
  contributors: string[];
  cover: EpubAsset;
  assets: EpubAsset[];
  css: string;
  /** Used for dcterms:modified and zip timestamps. */
  modified: Date;
  theme: Theme;
}

export async function packageEpub(input: EpubInput): Promise<Uint8Array> {
  const { book, strings, theme } = input;
  const chapterFiles = input.chapters.map((ch) => ({
    id: ch.id,
    filename: ch.xhtmlFile,
    title: ch.title,
    xmlLang: ch.lang,
    dir: ch.dir,
    bodyType: 'bodymatter',
    xhtml: theme.render('epub-chapter', { chapter: ch, book, strings }),
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
  const toc = input.chapters.map((ch) => ({ href: ch.xhtmlFile, title: ch.title, sections: ch.sections }));
  const c = {
    book,
    identifier: input.identifier,
    strings,
    contributors: input.contributors,
    extraLanguages: input.languages.filter((l) => l !== book.language),
    description: book.description ?? book.title,
    modified: input.modified.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    hasImages: input.assets.some((a) => a.mediaType.startsWith('image/')),
    accessibilitySummary:
      'This publication has a table of contents, structured headings, a logical reading order and language ' +
      'markup for every passage; images have text alternatives.',
    cover: { href: input.cover.href, mediaType: input.cover.mediaType },
    assets: input.assets.map((a, i) => ({ id: `asset-${i + 1}`, href: a.href, mediaType: a.mediaType })),
    toc,
    renderSections: (base: string, sections: TocEntry[]) => navList(base, sections),
    bodyStart: input.chapters[0]?.xhtmlFile ?? 'toc.xhtml',
    bodyStartTitle: input.chapters[0]?.title ?? strings.contents,
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
      css: input.css,
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
  files.set(`OEBPS/${input.cover.href}`, input.cover.data);
  for (const a of input.assets) files.set(`OEBPS/${a.href}`, a.data);
  return reproducibleZip(files, input.modified);
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
