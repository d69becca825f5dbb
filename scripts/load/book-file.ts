/**
 * Reads and validates `book.yaml`. Returns whatever could be learnt even when
 * there are errors, so that the chapters can still be checked and all
 * problems reported at once.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { LoadCode } from './codes.ts';
import { issueDiagnostics } from './issues.ts';
import { BOOK_KEY_ALIASES, bookYamlSchema, chaptersSchema, type BookYaml } from './schema.ts';
import { decodeSource } from './text.ts';
import { isMapping, locate, parseYaml, positionAt, rootNode, syntaxDiagnostics, toData, type Position, type YamlSource } from './yaml-errors.ts';

export interface ListedChapter {
  /** As written in book.yaml. */
  ref: string;
  at: Position;
}

/** `listed`: from `chapters:`; `default`: every *.md file; `unknown`: book.yaml too broken to tell. */
export type ChapterListing =
  | { kind: 'listed'; chapters: ListedChapter[]; at: Position }
  | { kind: 'default' }
  | { kind: 'unknown' };

export interface BookFile {
  meta?: BookYaml;
  listing: ChapterListing;
  src?: YamlSource;
  diagnostics: Diagnostic[];
}

export function readBookFile(bytes: Uint8Array, file: string): BookFile {
  const decoded = decodeSource(bytes);
  if (!decoded.ok) {
    const d = notUtf8(file, decoded);
    return { listing: { kind: 'unknown' }, diagnostics: [d] };
  }
  const src = parseYaml(decoded.text, file);
  if (src.doc.errors.length) {
    return { src, listing: { kind: 'unknown' }, diagnostics: syntaxDiagnostics(src, LoadCode.BOOK_YAML_SYNTAX) };
  }
  if (!isMapping(src)) {
    const start = rootNode(src)?.range?.[0] ?? 0;
    const diagnostic: Diagnostic = {
      severity: 'error',
      code: LoadCode.BOOK_YAML_INVALID,
      message: 'book.yaml must be a list of `key: value` lines',
      file,
      ...positionAt(src, start),
      hint: 'start with a line like `title: My Book`',
    };
    return { src, listing: { kind: 'unknown' }, diagnostics: [diagnostic] };
  }

  const data = toData(src);
  const parsed = bookYamlSchema.safeParse(data);
  const diagnostics = parsed.success
    ? []
    : issueDiagnostics(parsed.error.issues, {
        src,
        data,
        schema: bookYamlSchema,
        invalidCode: LoadCode.BOOK_YAML_INVALID,
        unknownKeyCode: LoadCode.BOOK_YAML_UNKNOWN_KEY,
        aliases: BOOK_KEY_ALIASES,
      });
  return { src, meta: parsed.data, listing: chapterListing(src, data as Record<string, unknown>), diagnostics };
}

/** The chapter list is checked on its own, so a typo elsewhere does not hide chapter problems. */
function chapterListing(src: YamlSource, data: Record<string, unknown>): ChapterListing {
  if (data.chapters === undefined) return { kind: 'default' };
  const chapters = chaptersSchema.safeParse(data.chapters);
  if (!chapters.success) return { kind: 'unknown' };
  return {
    kind: 'listed',
    at: locate(src, ['chapters']),
    chapters: chapters.data.map((ref, i) => ({ ref, at: locate(src, ['chapters', i]) })),
  };
}

export function notUtf8(file: string, where: { offset: number; line: number; column: number }): Diagnostic {
  return {
    severity: 'error',
    code: LoadCode.NOT_UTF8,
    message: `not valid UTF-8 text (bad byte at offset ${where.offset})`,
    file,
    line: where.line,
    column: where.column,
    hint: 'save the file with UTF-8 encoding (most editors: "Save with Encoding" → UTF-8)',
  };
}
