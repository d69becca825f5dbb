/**
 * What the templates see: plain, fully populated objects (optional fields are
 * null, never missing) so that strict Handlebars can tell a theme typo from an
 * absent subtitle.
 */
import type { Author, BookMeta, ChapterRole, Heading, ParsedChapter } from '../model.ts';

export interface BookView {
  title: string;
  subtitle: string | null;
  authors: Author[];
  authorLine: string;
  publisher: string | null;
  dateIso: string | null;
  dateText: string | null;
  year: string | null;
  description: string | null;
  rights: string | null;
  language: string;
  dir: 'ltr' | 'rtl';
  identifier: string;
  isbn: string | null;
  keywords: string[];
  isBook: boolean;
  isArticle: boolean;
  slug: string;
}

export interface TocEntry extends Heading {
  children: TocEntry[];
}

export interface ChapterView {
  id: string;
  number: number;
  title: string;
  subtitle: string | null;
  authors: Author[];
  authorLine: string | null;
  lang: string;
  dir: 'ltr' | 'rtl';
  role: ChapterRole;
  epubType: string;
  ariaRole: string;
  abstract: string | null;
  /** Sanitised body HTML, rendered by the caller for the target. */
  html: string;
  sections: TocEntry[];
  /** File name of the chapter inside the EPUB. */
  xhtmlFile: string;
  /** The book's first chapter (arabic page numbers start there). */
  isFirst: boolean;
}

const RTL = new Set(['ar', 'fa', 'he', 'ug', 'ur', 'yi', 'ps', 'sd', 'ckb', 'dv']);
export function directionOf(lang: string): 'ltr' | 'rtl' {
  return RTL.has(lang.toLowerCase().split('-')[0]) ? 'rtl' : 'ltr';
}

export function authorLine(authors: Author[], lang: string): string {
  const names = authors.map((a) => a.name);
  if (names.length < 2) return names.join('');
  return new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(names);
}

export function formatDate(iso: string, lang: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

export function bookView(meta: BookMeta, identifier: string): BookView {
  return {
    title: meta.title,
    subtitle: meta.subtitle ?? null,
    authors: meta.authors,
    authorLine: authorLine(meta.authors, meta.language),
    publisher: meta.publisher ?? null,
    dateIso: meta.date ?? null,
    dateText: meta.date ? formatDate(meta.date, meta.language) : null,
    year: meta.date ? meta.date.slice(0, 4) : null,
    description: meta.description ?? null,
    rights: meta.rights ?? null,
    language: meta.language,
    dir: directionOf(meta.language),
    identifier,
    isbn: meta.isbn ?? null,
    keywords: meta.keywords,
    isBook: meta.layout === 'book',
    isArticle: meta.layout === 'article',
    slug: meta.slug,
  };
}

/** DPUB-ARIA role for each chapter role; epub:type uses the same word. */
const ARIA: Record<ChapterRole, string> = {
  foreword: 'doc-foreword',
  preface: 'doc-preface',
  introduction: 'doc-introduction',
  prologue: 'doc-prologue',
  chapter: 'doc-chapter',
  part: 'doc-part',
  conclusion: 'doc-conclusion',
  epilogue: 'doc-epilogue',
  afterword: 'doc-afterword',
  appendix: 'doc-appendix',
  glossary: 'doc-glossary',
  bibliography: 'doc-bibliography',
  acknowledgments: 'doc-acknowledgments',
};

/** Nest a flat heading list (h2…h6) into a tree for the contents. */
export function nestHeadings(headings: Heading[]): TocEntry[] {
  const root: TocEntry[] = [];
  const stack: TocEntry[] = [];
  for (const h of headings) {
    const entry: TocEntry = { ...h, children: [] };
    while (stack.length && stack[stack.length - 1].depth >= h.depth) stack.pop();
    (stack.length ? stack[stack.length - 1].children : root).push(entry);
    stack.push(entry);
  }
  return root;
}

export function chapterView(ch: ParsedChapter, html: string, maxDepth = 3): ChapterView {
  return {
    id: ch.id,
    number: ch.index + 1,
    title: ch.title,
    subtitle: ch.subtitle ?? null,
    authors: ch.authors,
    authorLine: ch.authors.length ? authorLine(ch.authors, ch.lang) : null,
    lang: ch.lang,
    dir: ch.dir,
    role: ch.role,
    epubType: ch.role === 'chapter' ? 'chapter' : ch.role,
    ariaRole: ARIA[ch.role],
    abstract: ch.abstract ?? null,
    html,
    sections: nestHeadings(ch.headings.filter((h) => h.depth <= maxDepth)),
    xhtmlFile: `${ch.id}.xhtml`,
    isFirst: ch.index === 0,
  };
}
