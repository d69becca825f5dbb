/**
 * The load stage: a publication folder → a validated Publication. Every
 * problem in book.yaml and in all chapters is collected and thrown as one
 * ContentError, so an author can fix them in one pass.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ContentError, type Diagnostic } from '../diagnostics.ts';
import type { BookMeta, ChapterSource, Publication } from '../model.ts';
import { readBookFile } from './book-file.ts';
import { findChapterFiles, readChapter } from './chapters.ts';
import { LoadCode } from './codes.ts';
import { isNotFound, nameOrder, resolveInside } from './paths.ts';
import { slugify } from './schema.ts';
import { locate, type YamlSource } from './yaml-errors.ts';

export interface LoadOptions {
  /** How to show a file path in messages; defaults to relative to the working directory. */
  displayPath?: (abs: string) => string;
}

const BOOK_YAML = 'book.yaml';

function displayFn(opts: LoadOptions): (abs: string) => string {
  return opts.displayPath ?? ((abs) => path.relative(process.cwd(), abs) || '.');
}

export async function loadPublication(dir: string, opts: LoadOptions = {}): Promise<Publication> {
  const { publication, diagnostics } = await inspectPublication(dir, opts);
  if (diagnostics.length || !publication) throw new ContentError(diagnostics);
  return publication;
}

export interface Inspection {
  /**
   * The publication with every chapter that could be read; present whenever
   * book.yaml itself is valid, even if some chapters are not, so that the next
   * stages can look for further problems in the chapters that did load.
   */
  publication?: Publication;
  /** Every problem found; the publication is fit to build only when this is empty. */
  diagnostics: Diagnostic[];
}

/** Like `loadPublication`, but returns the problems instead of throwing them. */
export async function inspectPublication(dir: string, opts: LoadOptions = {}): Promise<Inspection> {
  const show = displayFn(opts);
  const pubDir = path.resolve(dir);
  const bookFile = path.join(pubDir, BOOK_YAML);

  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(bookFile);
  } catch (err) {
    if (!isNotFound(err) && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
    const dirExists = await fs.stat(pubDir).then((s) => s.isDirectory(), () => false);
    return {
      diagnostics: [
        {
          severity: 'error',
          code: LoadCode.NO_BOOK_YAML,
          message: dirExists ? `no ${BOOK_YAML} in ${show(pubDir)}` : `publication folder ${show(pubDir)} does not exist`,
          file: show(dirExists ? bookFile : pubDir),
          hint: `a publication is a folder with a ${BOOK_YAML} (at least \`title: …\`) and Markdown chapters; \`npx colophon new NAME\` creates one`,
        },
      ],
    };
  }

  const book = readBookFile(bytes, show(bookFile));
  const diagnostics: Diagnostic[] = [...book.diagnostics];
  const realDir = await fs.realpath(pubDir);
  const ctx = { dir: pubDir, realDir, bookFile, show };

  const found = await findChapterFiles(book.listing, ctx);
  diagnostics.push(...found.diagnostics);
  const read = await Promise.all(found.files.map((f) => readChapter(f, show)));
  const chapters: ChapterSource[] = [];
  for (const r of read) {
    diagnostics.push(...r.diagnostics);
    if (r.source) chapters.push(r.source);
  }
  if (book.meta?.cover && book.src) diagnostics.push(...(await checkCover(book.meta.cover, book.src, ctx)));

  if (!book.meta) return { diagnostics };
  const meta: BookMeta = {
    ...book.meta,
    slug: book.meta.slug ?? slugify(path.basename(pubDir)),
    chapters: chapters.map((c) => c.relPath),
  };
  return { publication: { dir: pubDir, bookFile, meta, chapters }, diagnostics };
}

async function checkCover(
  cover: string,
  src: YamlSource,
  ctx: { dir: string; realDir: string; show: (abs: string) => string },
): Promise<Diagnostic[]> {
  const r = await resolveInside(ctx.dir, ctx.realDir, cover);
  if (r.kind === 'ok') return [];
  const at = { severity: 'error' as const, file: src.file, ...locate(src, ['cover']) };
  if (r.kind === 'outside') {
    return [
      {
        ...at,
        code: LoadCode.COVER_OUTSIDE,
        message: `cover image \`${cover}\` is not a file inside the publication folder`,
        hint: `copy the image into ${ctx.show(ctx.dir)} (e.g. images/cover.jpg) and give its path relative to book.yaml`,
      },
    ];
  }
  return [
    {
      ...at,
      code: LoadCode.COVER_MISSING,
      message: r.kind === 'missing' ? `cover image \`${cover}\` does not exist` : `cover \`${cover}\` is a folder, not an image`,
      hint: 'correct the path (relative to book.yaml), or remove `cover:` to generate a cover from the theme',
    },
  ];
}

/**
 * `dir` itself if it is a publication, else its immediate subfolders that are
 * (sorted by name), for building a whole `content/` folder.
 */
export async function findPublications(dir: string, opts: LoadOptions = {}): Promise<string[]> {
  const show = displayFn(opts);
  const abs = path.resolve(dir);
  const isFile = (p: string) => fs.stat(p).then((s) => s.isFile(), () => false);
  if (await isFile(path.join(abs, BOOK_YAML))) return [abs];

  let names: string[] = [];
  let exists = true;
  try {
    names = await fs.readdir(abs);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    exists = false;
  }
  const withBook = await Promise.all(names.map(async (n) => ((await isFile(path.join(abs, n, BOOK_YAML))) ? n : undefined)));
  const found = withBook.filter((n): n is string => n !== undefined).sort(nameOrder);
  if (found.length === 0) {
    throw new ContentError([
      {
        severity: 'error',
        code: LoadCode.NO_PUBLICATIONS,
        message: exists
          ? `no publications in ${show(abs)}: neither it nor any folder directly inside it has a ${BOOK_YAML}`
          : `folder ${show(abs)} does not exist`,
        file: show(abs),
        hint: `a publication is a folder with a ${BOOK_YAML}; create one with \`npx colophon new NAME\``,
      },
    ]);
  }
  return found.map((n) => path.join(abs, n));
}
