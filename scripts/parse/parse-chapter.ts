/**
 * The parse stage: one chapter's Markdown → a sanitised hast tree plus what
 * the templates need (title, language, direction, sections, images).
 *
 * Content problems are returned as diagnostics, never thrown. Each plugin does
 * one job; their order matters and is explained inline.
 */
import path from 'node:path';
import type { Element, Root } from 'hast';
import { EXIT, visit } from 'unist-util-visit';
import { toHtml } from 'hast-util-to-html';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype, { type Options as RemarkRehypeOptions } from 'remark-rehype';
import { unified } from 'unified';
import { VFile } from 'vfile';
import type { Diagnostic } from '../diagnostics.ts';
import type { ChapterSource, Heading, ParsedChapter } from '../model.ts';
import { notesLabel } from '../i18n/strings.ts';
import { directionOf } from './language.ts';
import rehypeChapterTitle from './rehype-chapter-title.ts';
import rehypeFigures from './rehype-figures.ts';
import rehypeHeadingIds from './rehype-heading-ids.ts';
import rehypeLangDir from './rehype-lang-dir.ts';
import rehypeLocalImages from './rehype-local-images.ts';
import rehypeRemoveEmptyParagraphs from './rehype-remove-empty-paragraphs.ts';
import rehypeScopeFragments from './rehype-scope-fragments.ts';
import rehypeSmartPunctuation from './rehype-smart-punctuation.ts';
import rehypeTableCells from './rehype-table-cells.ts';
import remarkWithoutUnusedGfm, { unusedGfm } from './remark-unused-gfm.ts';
import { chapterSchema } from './sanitize-schema.ts';
import { smartPunctuation } from './typography.ts';

export interface ParseContext {
  /** Absolute path of the publication folder. */
  publicationDir: string;
  /** Language of the book (BCP 47), for chapters without `lang`. */
  bookLanguage: string;
  /** 0-based position of the chapter in reading order. */
  index: number;
  /** Turns an absolute path into the form used in messages. */
  displayPath: (abs: string) => string;
  /** Heading of the notes section (default: the "notes" interface string of the chapter's language). */
  footnoteLabel?: string;
  /** Accessible label of the links back from a note (default: English "Back to reference 1"). */
  footnoteBackLabel?: RemarkRehypeOptions['footnoteBackLabel'];
}

export interface ParseResult {
  chapter: ParsedChapter;
  diagnostics: Diagnostic[];
}

export function chapterId(index: number): string {
  return `ch-${String(index + 1).padStart(2, '0')}`;
}

/**
 * rehype-raw parses the raw HTML of a chapter into the tree, by running the
 * whole tree through an HTML parser again: a fifth of the time a chapter
 * takes to parse. A chapter without raw HTML (most prose) skips it and gets
 * the one thing that pass would have changed: attributes set to `true` by
 * remark-rehype (data-footnotes, data-footnote-ref) become empty strings, as
 * an HTML parser reads them.
 */
function rehypeRawWhereNeeded() {
  const raw = rehypeRaw();
  return (tree: Root, file: VFile) => {
    if (hasRaw(tree)) return raw(tree, file);
    visit(tree, 'element', (node: Element) => {
      for (const [key, value] of Object.entries(node.properties)) if (value === true && key.startsWith('data')) node.properties[key] = '';
    });
    return undefined;
  };
}

function hasRaw(tree: Root): boolean {
  let found = false;
  visit(tree, 'raw', () => {
    found = true;
    return EXIT;
  });
  return found;
}

export function parseChapter(source: ChapterSource, ctx: ParseContext): ParseResult {
  const fm = source.frontMatter;
  const id = chapterId(ctx.index);
  const prefix = `${id}-`;
  const lang = fm.lang?.trim() || ctx.bookLanguage;
  const dir = directionOf(lang);
  const explicitTitle = fm.title?.trim() ? smartPunctuation(fm.title.trim(), lang) : undefined;

  const found: { title?: string } = {};
  const headings: Heading[] = [];
  const images: string[] = [];

  const markdown = unified().use(remarkParse).use(remarkGfm);
  markdown.use(remarkWithoutUnusedGfm, unusedGfm(source.body));
  const processor = markdown
    .use(remarkRehype, {
      allowDangerousHtml: true,
      // The sanitiser prefixes every id with the chapter prefix; prefixing here
      // as well would double it.
      clobberPrefix: '',
      footnoteLabel: ctx.footnoteLabel ?? notesLabel(lang, ctx.publicationDir),
      footnoteLabelProperties: { className: ['footnotes-title'] },
      footnoteBackLabel: ctx.footnoteBackLabel,
      // An arrow the theme's fonts have (↩, the default, is in none of them).
      footnoteBackContent: '↑',
    })
    .use(rehypeRawWhereNeeded)
    // Before sanitising: the check must see `src` as written (the sanitiser drops `data:` and the like silently).
    .use(rehypeLocalImages, { publicationDir: ctx.publicationDir, baseDir: path.dirname(source.file), images })
    .use(rehypeSanitize, chapterSchema(prefix))
    .use(rehypeRemoveEmptyParagraphs)
    // Everything below adds only trusted markup.
    .use(rehypeLangDir, { dir })
    .use(rehypeFigures)
    .use(rehypeTableCells)
    .use(rehypeSmartPunctuation, { lang })
    // After smart punctuation, so a title from the body reads like the text.
    .use(rehypeChapterTitle, { explicitTitle, result: found })
    // After the title is removed, so it does not take a slug.
    .use(rehypeHeadingIds, { prefix, headings })
    .use(rehypeScopeFragments, { prefix });

  const file = new VFile({ path: source.file, value: source.body });
  const tree = processor.runSync(processor.parse(file), file) as Root;

  const chapter: ParsedChapter = {
    id,
    index: ctx.index,
    source,
    title: explicitTitle ?? found.title ?? `Chapter ${ctx.index + 1}`,
    subtitle: fm.subtitle?.trim() ? smartPunctuation(fm.subtitle.trim(), lang) : undefined,
    authors: fm.authors ?? [],
    lang,
    dir,
    role: fm.role ?? 'chapter',
    abstract: fm.abstract?.trim() ? smartPunctuation(fm.abstract.trim(), lang) : undefined,
    headings,
    tree,
    images,
  };

  const diagnostics: Diagnostic[] = file.messages.map((message) => ({
    severity: message.fatal ? 'error' : 'warning',
    code: message.ruleId ?? 'MARKDOWN',
    message: message.reason,
    file: ctx.displayPath(source.file),
    line: message.line == null ? undefined : message.line + source.bodyStartLine - 1,
    column: message.column ?? undefined,
    hint: message.note ?? undefined,
  }));

  return { chapter, diagnostics };
}

/** Serialise a chapter tree (or any hast) to an HTML string. */
export function chapterToHtml(tree: Root): string {
  return toHtml(tree);
}
