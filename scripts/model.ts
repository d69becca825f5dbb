/**
 * The data that flows through the pipeline. `book.yaml` and front matter are
 * validated into these shapes by `load/`; later stages only read them.
 */
import type { Root as HastRoot } from 'hast';

export interface Author {
  name: string;
  affiliation?: string;
}

export type Layout = 'book' | 'article';

/** Structural role of a chapter; maps to EPUB `epub:type`, DPUB-ARIA roles and print styling. */
export const CHAPTER_ROLES = [
  'foreword',
  'preface',
  'introduction',
  'prologue',
  'chapter',
  'part',
  'conclusion',
  'epilogue',
  'afterword',
  'appendix',
  'glossary',
  'bibliography',
  'acknowledgments',
] as const;
export type ChapterRole = (typeof CHAPTER_ROLES)[number];

export interface PageSetup {
  /** CSS page size, e.g. "A5", "6in 9in". */
  size: string;
  /** CSS lengths. `inner` is the binding side. */
  margins: { top: string; bottom: string; inner: string; outer: string };
  /** Bleed for the print edition, CSS length. */
  bleed: string;
}

/** `book.yaml`, validated and with defaults applied. */
export interface BookMeta {
  title: string;
  subtitle?: string;
  authors: Author[];
  /** BCP 47 */
  language: string;
  identifier?: string;
  isbn?: string;
  publisher?: string;
  /** ISO date, YYYY-MM-DD */
  date?: string;
  description?: string;
  rights?: string;
  keywords: string[];
  /** Path relative to the publication folder. */
  cover?: string;
  layout: Layout;
  slug: string;
  page: PageSetup;
  /** Chapter files relative to the publication folder, in reading order. */
  chapters: string[];
}

export interface ChapterFrontMatter {
  title?: string;
  subtitle?: string;
  authors?: Author[];
  lang?: string;
  role?: ChapterRole;
  abstract?: string;
}

export interface ChapterSource {
  /** Absolute path. */
  file: string;
  /** Path relative to the publication folder, as the user wrote it (for messages). */
  relPath: string;
  frontMatter: ChapterFrontMatter;
  /** Markdown body without the front matter block. */
  body: string;
  /** 1-based line number in `file` where `body` starts (for diagnostics). */
  bodyStartLine: number;
}

export interface Publication {
  /** Absolute path of the publication folder. */
  dir: string;
  /** Absolute path of book.yaml. */
  bookFile: string;
  meta: BookMeta;
  chapters: ChapterSource[];
}

export interface Heading {
  id: string;
  depth: number;
  text: string;
}

/** A chapter after Markdown parsing: a sanitised HTML tree plus what the templates need. */
export interface ParsedChapter {
  /** Stable id used for anchors and file names, e.g. "ch-03". */
  id: string;
  index: number;
  source: ChapterSource;
  title: string;
  subtitle?: string;
  authors: Author[];
  lang: string;
  dir: 'ltr' | 'rtl';
  role: ChapterRole;
  abstract?: string;
  /** Sections of the chapter body (h2…h6), in order, for nested contents. */
  headings: Heading[];
  /** Body content (without the chapter title when it came from the first heading). */
  tree: HastRoot;
  /** Local image files the chapter references: absolute paths inside the publication folder. */
  images: string[];
  /**
   * With a cache: the key the chapter was parsed (or found) by, which names
   * everything it shapes; what later stages make of the chapter alone can be
   * kept under it (render/print-html.ts).
   */
  key?: string;
}
