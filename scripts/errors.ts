/**
 * The user-facing error catalogue and the exit status of every kind of
 * failure. Codes are part of the contract (tests, docs and scripts match on
 * them), so an entry may gain words but a code is never renamed. The CLI looks
 * up the title and a fallback hint here; the stage that finds a problem only
 * names its code.
 */
import { CommanderError } from 'commander';
import { ContentError, EnvironmentError, UsageError } from './diagnostics.ts';
import { PaginationError } from './paginate/paginate.ts';

/** 0 success; 1 content, configuration or environment; 2 command-line usage; anything else a bug. */
export const EXIT = { ok: 0, problem: 1, usage: 2, bug: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CatalogueEntry {
  title: string;
  /** Shown when the diagnostic itself carries no more specific hint. */
  hint?: string;
}

const SETUP = 'Run `npm run setup`, which installs what is missing or names it.';

export const ERRORS = {
  // Loading book.yaml and chapters (codes from scripts/load/codes.ts).
  NO_PUBLICATIONS: { title: 'No publication found', hint: 'Point at a folder with a book.yaml, or a folder of such folders; `colophon new NAME` creates one.' },
  NO_BOOK_YAML: { title: 'book.yaml is missing', hint: 'Every publication folder needs a book.yaml with at least `title:`.' },
  NOT_UTF8: { title: 'File is not UTF-8', hint: 'Save the file as UTF-8 in your editor.' },
  BOOK_YAML_SYNTAX: { title: 'book.yaml is not valid YAML' },
  BOOK_YAML_INVALID: { title: 'A value in book.yaml is not valid' },
  BOOK_YAML_UNKNOWN_KEY: { title: 'book.yaml has a key Colophon does not know' },
  COVER_MISSING: { title: 'Cover image not found', hint: 'Give the path relative to the publication folder.' },
  COVER_OUTSIDE: { title: 'Cover image outside the publication', hint: 'Move the image into the publication folder.' },
  EMPTY_BOOK: { title: 'The publication has no chapters', hint: 'Add a Markdown file (`01-introduction.md`) or list files under `chapters:`.' },
  CHAPTER_MISSING: { title: 'Chapter file not found' },
  CHAPTER_NOT_FILE: { title: 'Chapter is not a file' },
  CHAPTER_DUPLICATE: { title: 'Chapter listed twice', hint: 'List each chapter file once under `chapters:`.' },
  CHAPTER_OUTSIDE: { title: 'Chapter outside the publication', hint: 'Chapter files must live inside the publication folder.' },
  CHAPTER_EMPTY: { title: 'Chapter is empty' },
  FRONT_MATTER_UNCLOSED: { title: 'Front matter is not closed', hint: 'End the front matter with a line of three dashes: `---`.' },
  FRONT_MATTER_SYNTAX: { title: 'Front matter is not valid YAML' },
  FRONT_MATTER_INVALID: { title: 'A value in front matter is not valid' },
  FRONT_MATTER_UNKNOWN_KEY: { title: 'Front matter has a key Colophon does not know' },
  // Later stages.
  THEME_FILE_MISSING: { title: 'Theme file missing' },
  TEMPLATE_ERROR: { title: 'Template error', hint: 'Check the Handlebars syntax of the template named in the message.' },
  LINK_TARGET_MISSING: { title: 'Link points nowhere', hint: 'Link to a heading id that exists, e.g. `[see](02-chapter.md#a-heading)`.' },
  PAGINATION_FAILED: { title: 'Laying out pages failed', hint: 'A very long table, image or unbreakable line can stall Paged.js; try `--timeout`, or split the content.' },
  // The machine.
  ENVIRONMENT: { title: 'A required tool is missing', hint: SETUP },
  JAVA_MISSING: { title: 'Java is not installed', hint: 'EPUBCheck runs on Java. Debian/Ubuntu: `sudo apt-get install default-jre-headless epubcheck`; elsewhere install a Java runtime. Or run `npm run setup`.' },
  EPUBCHECK_MISSING: { title: 'EPUBCheck is not installed', hint: 'Debian/Ubuntu: `sudo apt-get install epubcheck`; elsewhere download it from https://github.com/w3c/epubcheck/releases and set EPUBCHECK_JAR to the .jar file.' },
  POPPLER_MISSING: { title: 'Poppler or qpdf is not installed', hint: 'Debian/Ubuntu: `sudo apt-get install poppler-utils qpdf`; macOS: `brew install poppler qpdf`.' },
  // The commands themselves.
  FOLDER_EXISTS: { title: 'The folder already exists', hint: 'Choose another name, or remove the folder first.' },
  NO_OUTPUTS: { title: 'Nothing built to check', hint: 'Run `colophon build` first, or pass the output folder with `--out`.' },
  CHECK_FAILED: { title: 'A check failed' },
  USAGE: { title: 'Bad command-line usage', hint: 'Run `colophon --help` for the commands and options.' },
  INTERNAL: { title: 'Internal error', hint: 'Run again with --debug for details, and please report it.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERRORS;

export function catalogueEntry(code: string): CatalogueEntry | undefined {
  return (ERRORS as Record<string, CatalogueEntry>)[code];
}

/**
 * An expected failure of a command (a folder exists, a check failed, a tool
 * is missing): no stack trace, a code from the catalogue, exit status 1.
 */
export class CommandError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'CommandError';
    this.code = code;
    this.hint = options?.hint ?? catalogueEntry(code)?.hint;
  }
}

/** The one place where an error becomes an exit status. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UsageError) return EXIT.usage;
  if (
    error instanceof ContentError ||
    error instanceof EnvironmentError ||
    error instanceof PaginationError ||
    error instanceof CommandError
  ) {
    return EXIT.problem;
  }
  return EXIT.bug;
}
