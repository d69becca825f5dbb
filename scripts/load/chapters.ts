/**
 * Finds the chapter files (listed in book.yaml or every *.md in the folder),
 * checks that each is a real file inside the publication, and reads each one
 * into a ChapterSource with validated front matter.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import type { ChapterSource } from '../model.ts';
import { notUtf8, type ChapterListing } from './book-file.ts';
import { LoadCode } from './codes.ts';
import { issueDiagnostics } from './issues.ts';
import { nameOrder, resolveInside } from './paths.ts';
import { bookYamlSchema, FRONT_MATTER_KEY_ALIASES, frontMatterSchema } from './schema.ts';
import { didYouMean, quoteList } from './suggest.ts';
import { decodeSource, splitFrontMatter } from './text.ts';
import { isMapping, parseYaml, positionAt, rootNode, syntaxDiagnostics, toData, type Position } from './yaml-errors.ts';

export interface ChapterFile {
  relPath: string;
  abs: string;
  real: string;
}

export interface FoundChapters {
  files: ChapterFile[];
  diagnostics: Diagnostic[];
}

interface Ctx {
  dir: string;
  realDir: string;
  bookFile: string;
  show: (abs: string) => string;
}

export async function findChapterFiles(listing: ChapterListing, ctx: Ctx): Promise<FoundChapters> {
  if (listing.kind === 'unknown') return { files: [], diagnostics: [] };
  const markdownHere = await markdownFilesIn(ctx.dir);
  const listed =
    listing.kind === 'listed'
      ? listing.chapters
      : markdownHere.map((ref) => ({ ref, at: undefined as Position | undefined }));

  if (listed.length === 0) {
    const message =
      listing.kind === 'listed' ? '`chapters` is an empty list' : `no chapters: there are no Markdown (.md) files in ${ctx.show(ctx.dir)}`;
    return {
      files: [],
      diagnostics: [
        {
          severity: 'error',
          code: LoadCode.EMPTY_BOOK,
          message,
          file: ctx.show(ctx.bookFile),
          ...(listing.kind === 'listed' ? listing.at : {}),
          hint: 'add a chapter such as `01-introduction.md` next to book.yaml, or list chapter files under `chapters:`',
        },
      ],
    };
  }

  const diagnostics: Diagnostic[] = [];
  const files: ChapterFile[] = [];
  const seen = new Map<string, Position | undefined>(); // real path → where first listed
  const resolved = await Promise.all(listed.map((c) => resolveInside(ctx.dir, ctx.realDir, c.ref)));
  listed.forEach(({ ref, at }, i) => {
    const r = resolved[i];
    // Listed chapters are reported at their line in book.yaml; found ones at the file itself.
    const where = at ? { file: ctx.show(ctx.bookFile), ...at } : { file: ctx.show(r.abs ?? path.join(ctx.dir, ref)) };
    const problem = (code: string, message: string, hint: string) =>
      diagnostics.push({ severity: 'error', code, message, ...where, hint });

    if (r.kind === 'outside') {
      problem(
        LoadCode.CHAPTER_OUTSIDE,
        r.viaLink
          ? `chapter \`${ref}\` is a symbolic link to a file outside the publication folder (${ctx.show(r.target!)})`
          : `chapter \`${ref}\` is outside the publication folder`,
        'chapters must be files inside the publication folder: copy the file there and list it relative to book.yaml',
      );
    } else if (r.kind === 'missing') {
      const guess = didYouMean(ref, markdownHere);
      problem(
        LoadCode.CHAPTER_MISSING,
        `chapter \`${ref}\` does not exist`,
        guess
          ? `did you mean \`${guess}\`?`
          : markdownHere.length
            ? `check the name; Markdown files here: ${quoteList(markdownHere.slice(0, 8))}${markdownHere.length > 8 ? ', …' : ''}`
            : 'create the file, or correct the name (paths are relative to book.yaml)',
      );
    } else if (r.kind === 'not-file') {
      problem(LoadCode.CHAPTER_NOT_FILE, `chapter \`${ref}\` is a folder, not a file`, 'list the Markdown files inside it one by one');
    } else if (seen.has(r.real)) {
      const first = seen.get(r.real);
      problem(
        LoadCode.CHAPTER_DUPLICATE,
        `chapter \`${ref}\` is listed more than once${first?.line ? ` (first on line ${first.line})` : ''}`,
        'each chapter can appear only once: remove the repeated entry',
      );
    } else {
      seen.set(r.real, at);
      files.push({ relPath: ref, abs: r.abs, real: r.real });
    }
  });
  return { files, diagnostics };
}

/** Chapter candidates when book.yaml has no `chapters:` list. */
async function markdownFilesIn(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.md$/i.test(e.name))
    .map((e) => e.name)
    .filter((name) => !name.startsWith('.') && name.toLowerCase() !== 'readme.md')
    .sort(nameOrder);
}

const BOOK_KEYS = new Set(Object.keys(bookYamlSchema.shape));

export async function readChapter(
  chapter: ChapterFile,
  show: (abs: string) => string,
): Promise<{ source?: ChapterSource; diagnostics: Diagnostic[] }> {
  const file = show(chapter.abs);
  const fail = (d: Omit<Diagnostic, 'severity' | 'file'>) => ({ diagnostics: [{ severity: 'error' as const, file, ...d }] });
  const emptyHint = 'write the chapter, or delete the file / remove it from `chapters:` in book.yaml';

  const bytes = await fs.readFile(chapter.real);
  if (bytes.length === 0) return fail({ code: LoadCode.CHAPTER_EMPTY, message: 'chapter file is empty (0 bytes)', hint: emptyHint });
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return { diagnostics: [notUtf8(file, decoded)] };
  if (decoded.text.trim() === '') {
    return fail({ code: LoadCode.CHAPTER_EMPTY, message: 'chapter file contains only white space', hint: emptyHint });
  }

  const split = splitFrontMatter(decoded.text);
  if (split.kind === 'unclosed') {
    return fail({
      code: LoadCode.FRONT_MATTER_UNCLOSED,
      message: 'front matter opened with `---` is never closed',
      line: 1,
      column: 1,
      hint: 'end the front matter with a line containing only `---`, before the chapter text',
    });
  }
  if (split.kind === 'none') {
    return { source: { file: chapter.abs, relPath: chapter.relPath, frontMatter: {}, body: split.body, bodyStartLine: 1 }, diagnostics: [] };
  }

  const src = parseYaml(split.yaml, file, 1);
  if (src.doc.errors.length) return { diagnostics: syntaxDiagnostics(src, LoadCode.FRONT_MATTER_SYNTAX) };
  if (!isMapping(src)) {
    return fail({
      code: LoadCode.FRONT_MATTER_INVALID,
      message: 'front matter must be a list of `key: value` lines',
      ...positionAt(src, rootNode(src)?.range?.[0] ?? 0),
      hint: 'for example `title: The Border`, one key per line',
    });
  }
  const data = toData(src);
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const diagnostics = issueDiagnostics(parsed.error.issues, {
      src,
      data,
      schema: frontMatterSchema,
      invalidCode: LoadCode.FRONT_MATTER_INVALID,
      unknownKeyCode: LoadCode.FRONT_MATTER_UNKNOWN_KEY,
      aliases: FRONT_MATTER_KEY_ALIASES,
      unknownKeyHint: (key) =>
        BOOK_KEYS.has(key) ? `\`${key}\` applies to the whole publication: set it in book.yaml` : undefined,
    });
    return { diagnostics };
  }
  return {
    source: {
      file: chapter.abs,
      relPath: chapter.relPath,
      frontMatter: parsed.data,
      body: split.body,
      bodyStartLine: split.bodyStartLine,
    },
    diagnostics: [],
  };
}
