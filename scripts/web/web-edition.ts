/**
 * dist/<slug>/index.html: the web edition. One page with the whole book, its
 * contents, notes that link both ways, and the download links; no script.
 */
import { localiseNoteLinks } from '../render/note-links.ts';
import type { Element, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { toString } from 'hast-util-to-string';
import { imageSize } from 'image-size';
import { visit } from 'unist-util-visit';
import type { Logger } from '../context.ts';
import type { ParsedChapter } from '../model.ts';
import type { BookView } from '../render/view-model.ts';
import { chapterView } from '../render/view-model.ts';
import { rewriteImageSources } from '../render/assets.ts';
import type { Theme } from '../render/theme.ts';
import { yieldToEvents } from '../util/yield.ts';
import { downloadLinks, type OutputFile } from './downloads.ts';

/** What the chapters' parts of the page are made from. */
export interface WebChaptersInput {
  slug: string;
  theme: Theme;
  chapters: ParsedChapter[];
  /** Whether chapters show their heading block (books, or articles of several parts). */
  showHead: boolean;
  /** Where images are copied, relative to the page. */
  media: (rel: string) => string;
  logger: Logger;
}

/** What the page around them is made from. */
export interface WebPageInput {
  theme: Theme;
  book: BookView;
  views: WebChapterView[];
  stylesheets: string[];
  /** The cover image file name in the edition's folder, and its bytes (for its proportions). */
  cover?: { file: string; data: Uint8Array };
  /** The other editions already built, for the download links. */
  outputs: OutputFile[];
}

const COVER_WIDTH = 200;

export type WebChapterView = ReturnType<typeof chapterView> & { showHead: boolean };

/**
 * Each chapter's part of the page. Made while the PDFs are laid out (Node
 * mostly waits for Chromium then), a chapter at a time, so that what the
 * layout needs from Node meanwhile waits at most for one chapter.
 */
export async function webChapterViews(input: WebChaptersInput): Promise<WebChapterView[]> {
  const { theme, slug, logger } = input;
  const total = input.chapters.length;
  const views: WebChapterView[] = [];
  for (const [i, ch] of input.chapters.entries()) {
    if (i) await yieldToEvents();
    logger.progress?.({ publication: slug, stage: 'web', message: 'writing the web edition', current: i + 1, total });
    const own = theme.strings(ch.lang);
    // The parsed tree is shared with the other editions: rewriteImageSources makes the copy changed here.
    const tree = scrollableTables(localiseNoteLinks(rewriteImageSources(ch.tree, input.media), own), own);
    views.push({ ...chapterView(ch, toHtml(tree)), showHead: input.showHead });
  }
  return views;
}

/** The page, from the chapters' parts (webChapterViews) and the editions built. */
export function renderWebEdition(input: WebPageInput): string {
  const { book, theme } = input;
  const strings = theme.strings(book.language);
  const total = input.views.length;
  return theme.render('web', {
    book,
    strings,
    stylesheets: input.stylesheets,
    coverImage: input.cover ? { src: input.cover.file, ...coverSize(input.cover.data) } : null,
    downloads: downloadLinks(input.outputs, strings, book.language),
    showContents: book.isBook || total > 1,
    catalogHref: '../index.html',
    chapters: input.views,
  });
}

/** Width and height attributes in the cover's own proportions, so the page does not jump as it loads. */
function coverSize(data: Uint8Array): { width: number; height: number } {
  try {
    const { width, height } = imageSize(data);
    if (width && height) return { width: COVER_WIDTH, height: Math.round((COVER_WIDTH * height) / width) };
  } catch {
    // an unreadable image still gets a box of the usual shape
  }
  return { width: COVER_WIDTH, height: 320 };
}

/**
 * Wraps each table in a region that scrolls sideways on a narrow screen
 * instead of widening the page. The region can take focus, so it scrolls
 * with the keyboard too, and is named by the table's caption or headings.
 */
function scrollableTables(tree: Root, strings: Record<string, string>): Root {
  visit(tree, 'element', (el: Element, index, parent) => {
    if (el.tagName !== 'table' || !parent || index === undefined) return;
    if (parent.type === 'element' && (parent as Element).properties.className?.toString().includes('table-scroll')) return;
    const caption = el.children.find((c): c is Element => c.type === 'element' && c.tagName === 'caption');
    const headings: string[] = [];
    visit(el, 'element', (c: Element) => {
      if (c.tagName === 'th' && headings.length < 4) headings.push(toString(c).trim());
    });
    const name = caption ? toString(caption).trim() : [strings.table || 'Table', headings.filter(Boolean).join(', ')].filter(Boolean).join(': ');
    const wrapper: Element = {
      type: 'element',
      // A named <section> is a region landmark: a screen reader announces what scrolls.
      tagName: 'section',
      properties: { className: ['table-scroll'], tabIndex: 0, ariaLabel: name },
      children: [el],
    };
    parent.children[index] = wrapper;
    return 'skip';
  });
  return tree;
}
