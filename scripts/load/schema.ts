/**
 * Schemas for `book.yaml` and chapter front matter. They validate, apply
 * defaults and normalise (authors, language tags, dates) in one pass, so later
 * stages receive exactly the shapes in model.ts. Each field's `description`
 * doubles as JSON Schema documentation and as the hint shown with an error.
 */
import { z } from 'zod';
import { CHAPTER_ROLES, type Author, type BookMeta, type ChapterFrontMatter } from '../model.ts';

/** YAML reads `title: 1984` as a number; for free text that is never what the author meant. */
const text = z
  .union([z.string(), z.number()], { error: 'must be text' })
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, { error: 'must not be empty' }));

const authorObject = z.strictObject({
  name: text.meta({ description: 'The author\'s name as it should appear, e.g. `name: Jane Doe`.' }),
  affiliation: text.optional(),
});
const authorItem = z.union([text, authorObject], { error: 'must be a name or `{name, affiliation}`' });

const AUTHORS_HELP =
  'A name or a list of names; each may be `{name, affiliation}`. Example: `authors: [Jane Doe, {name: Ann Lee, affiliation: Example University}]`.';

/** Accepts one author or a list, each a plain name or {name, affiliation}; always yields Author[]. */
export const authorsSchema = z
  .union([authorItem, z.array(authorItem)], { error: 'must be a name or a list of names' })
  .transform((v): Author[] =>
    (Array.isArray(v) ? v : [v]).map((a) => (typeof a === 'string' ? { name: a } : a)),
  );

/** BCP 47 tag, canonicalised (`EN-gb` → `en-GB`). */
const languageTag = text.pipe(
  z.string().transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      // 4- and 5–8-letter primary subtags are syntactically valid but never
      // assigned, so `english` is almost certainly a mistake for `en`.
      if (canonical && /^[a-z]{2,3}(-|$)/i.test(canonical)) return canonical;
    } catch {
      /* reported below */
    }
    ctx.issues.push({ code: 'custom', input: tag, message: `is not a valid BCP 47 language tag: \`${tag}\`` });
    return z.NEVER;
  }),
);
const LANGUAGE_HELP = 'A BCP 47 language tag such as `en`, `en-GB`, `ru`, `kk`, `ug` or `zh-Hans` (hyphens, not underscores).';

const DATE_RE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** A full date, a year-month, or a year; full dates must exist in the calendar. */
function isCalendarDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number);
  if (m === undefined) return true;
  if (m < 1 || m > 12) return false;
  if (d === undefined) return true;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** YAML 1.1 documents yield Date objects for timestamps, YAML 1.2 strings, a bare year a number. */
const dateSchema = z
  .union([z.string(), z.number(), z.date()], { error: 'must be a date' })
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim()))
  .pipe(
    z
      .string()
      .regex(DATE_RE, { error: 'must be a date written YYYY-MM-DD (or YYYY-MM, or a year)' })
      .refine(isCalendarDate, { error: 'is not a date in the calendar' }),
  );

/** ISBN-10 or ISBN-13 with a correct check digit; hyphens and spaces are ignored. */
export function isValidIsbn(isbn: string): boolean {
  const s = isbn.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{9}[\dX]$/.test(s)) {
    const sum = [...s].reduce((acc, c, i) => acc + (c === 'X' ? 10 : Number(c)) * (10 - i), 0);
    return sum % 11 === 0;
  }
  if (/^\d{13}$/.test(s)) {
    const sum = [...s].reduce((acc, c, i) => acc + Number(c) * (i % 2 ? 3 : 1), 0);
    return sum % 10 === 0;
  }
  return false;
}

const LENGTH = String.raw`(?:0|(?:\d+(?:\.\d+)?|\.\d+)(?:mm|cm|in|pt|pc|px|q))`;
const CSS_LENGTH_RE = new RegExp(`^${LENGTH}$`, 'i');
const SIZE_KEYWORD = '(?:a[3-6]|b[45]|jis-b[45]|letter|legal|ledger)';
const PAGE_SIZE_RE = new RegExp(
  `^(?:${SIZE_KEYWORD}(?:\\s+(?:portrait|landscape))?|(?:portrait|landscape)\\s+${SIZE_KEYWORD}|${LENGTH}(?:\\s+${LENGTH})?)$`,
  'i',
);
const LENGTH_HELP = 'A CSS length with a unit, such as `20mm`, `0.75in` or `12pt`.';

const cssLength = z
  .union([z.string(), z.number()], { error: 'must be a CSS length' })
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(CSS_LENGTH_RE, { error: 'must be a CSS length with a unit' }));

const margin = (d: string) => cssLength.default(d).meta({ description: LENGTH_HELP });

const pageSchema = z
  .strictObject({
    size: text
      .pipe(z.string().regex(PAGE_SIZE_RE, { error: 'must be a CSS page size' }))
      .default('A5')
      .meta({ description: 'A page size keyword (`A5`, `A4`, `B5`, `letter`…, optionally `landscape`) or width and height, e.g. `6in 9in`.' }),
    margins: z
      .strictObject({ top: margin('20mm'), bottom: margin('22mm'), inner: margin('22mm'), outer: margin('16mm') })
      .prefault({})
      .meta({ description: 'Page margins as CSS lengths; `inner` is the binding side. Example: `margins: {top: 20mm, bottom: 22mm, inner: 22mm, outer: 16mm}`.' }),
    bleed: cssLength.default('3mm').meta({ description: `Bleed for the print edition. ${LENGTH_HELP}` }),
  })
  .prefault({})
  .meta({ description: 'Page setup for the PDF editions: `size`, `margins` and `bleed`.' });

export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Folder names become URL- and file-safe slugs: `Pride & Prejudice` → `pride-prejudice`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'publication';
}

const chapterPath = z
  .string({ error: 'must be a file name' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .regex(/\.md$/i, { error: 'must be a Markdown file ending in `.md`' });

export const chaptersSchema = z.array(chapterPath).meta({
  description: 'Chapter files relative to this folder, in reading order, e.g. `chapters: [01-intro.md, 02-body.md]`. Leave out to use every *.md file in name order.',
});

/** `book.yaml` as written; `slug` and `chapters` get their defaults from the folder in load-publication. */
export const bookYamlSchema = z.strictObject({
  title: text.meta({ description: 'The title of the publication (required), e.g. `title: Crossing Points`.' }),
  subtitle: text.optional(),
  authors: authorsSchema.default([]).meta({ description: AUTHORS_HELP }),
  language: languageTag.default('en').meta({ description: `Main language. ${LANGUAGE_HELP}` }),
  identifier: text.optional().meta({ description: 'A unique identifier such as `urn:uuid:…` or a DOI; derived from the title when absent.' }),
  isbn: text
    .pipe(z.string().refine(isValidIsbn, { error: 'is not a valid ISBN-10 or ISBN-13' }))
    .optional()
    .meta({ description: 'ISBN-10 or ISBN-13; hyphens are allowed. Check the digits, the last one is a checksum.' }),
  publisher: text.optional(),
  date: dateSchema.optional().meta({ description: 'Publication date as YYYY-MM-DD, e.g. `date: 2026-11-28` (a year alone, `1813`, is also accepted).' }),
  description: text.optional(),
  rights: text.optional(),
  keywords: z.array(text).default([]).meta({ description: 'A list of keywords, e.g. `keywords: [history, travel]`.' }),
  cover: text.optional().meta({ description: 'Cover image path relative to this folder, e.g. `cover: images/cover.jpg`; generated from the theme when absent.' }),
  layout: z.enum(['book', 'article']).default('book').meta({ description: '`book` for a multi-chapter book, `article` for a single paper.' }),
  slug: text
    .pipe(z.string().regex(SLUG_RE, { error: 'may contain only lowercase letters a–z, digits and single hyphens' }))
    .optional()
    .meta({ description: 'Name used for output files and URLs, e.g. `slug: crossing-points`; defaults to the folder name.' }),
  page: pageSchema,
  chapters: chaptersSchema.optional(),
});

export const frontMatterSchema = z.strictObject({
  title: text.optional().meta({ description: 'Chapter title; defaults to the first heading. Quote titles that contain `: `.' }),
  subtitle: text.optional(),
  authors: authorsSchema.optional().meta({ description: AUTHORS_HELP }),
  lang: languageTag.optional().meta({ description: `Language of this chapter if it differs from the book. ${LANGUAGE_HELP}` }),
  role: z.enum(CHAPTER_ROLES).optional().meta({ description: `Structural role: ${CHAPTER_ROLES.join(', ')}.` }),
  abstract: text.optional(),
});

export type BookYaml = z.output<typeof bookYamlSchema>;

/** Other names people reach for, mapped to the key they meant. */
export const BOOK_KEY_ALIASES: Record<string, string> = {
  lang: 'language',
  author: 'authors',
  tags: 'keywords',
  keyword: 'keywords',
  summary: 'description',
  abstract: 'description',
  license: 'rights',
  licence: 'rights',
  copyright: 'rights',
  image: 'cover',
  published: 'date',
  type: 'layout',
  pages: 'page',
  files: 'chapters',
};
export const FRONT_MATTER_KEY_ALIASES: Record<string, string> = {
  language: 'lang',
  author: 'authors',
  type: 'role',
  summary: 'abstract',
  description: 'abstract',
};

// Compile-time guarantees that validated data is what model.ts promises.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const bookMatchesModel: Exact<Omit<BookYaml, 'slug' | 'chapters'>, Omit<BookMeta, 'slug' | 'chapters'>> = true;
const frontMatterMatchesModel: Exact<z.output<typeof frontMatterSchema>, ChapterFrontMatter> = true;
void bookMatchesModel;
void frontMatterMatchesModel;

/** JSON Schemas (draft 2020-12) of what authors may write, for editors and docs. */
export function contentJsonSchemas(): { book: Record<string, unknown>; frontMatter: Record<string, unknown> } {
  const convert = (schema: z.ZodType) =>
    z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      override: (ctx) => {
        // YAML 1.1 timestamps arrive as Date objects; in a file they are date strings.
        if (ctx.zodSchema._zod.def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date' });
      },
    }) as Record<string, unknown>;
  return {
    book: { ...convert(bookYamlSchema), title: 'book.yaml' },
    frontMatter: { ...convert(frontMatterSchema), title: 'Chapter front matter' },
  };
}
