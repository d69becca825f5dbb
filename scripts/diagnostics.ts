/**
 * Problems in the user's content are values, not crashes: each names the file,
 * and the line and column where there is one. `ContentError` carries one or
 * more of them so that several problems in a book are reported together.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable code from the catalogue in errors.ts, e.g. "BOOK_YAML_SYNTAX". */
  code: string;
  message: string;
  /** Path as the user knows it (relative to the working directory where possible). */
  file?: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** Thrown for problems in content or configuration (exit status 1). */
export class ContentError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], options?: { cause?: unknown }) {
    super(diagnostics.map(formatDiagnostic).join('\n'), options);
    this.name = 'ContentError';
    this.diagnostics = diagnostics;
  }
}

/** Thrown for bad command-line usage (exit status 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Thrown when the machine lacks something a build needs (Chromium, Java…): exit status 1 with a how-to. */
export class EnvironmentError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvironmentError';
    this.hint = hint;
  }
}

export function formatLocation(d: Pick<Diagnostic, 'file' | 'line' | 'column'>): string {
  if (!d.file) return '';
  let s = d.file;
  if (d.line !== undefined) s += `:${d.line}`;
  if (d.line !== undefined && d.column !== undefined) s += `:${d.column}`;
  return s;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d);
  const head = `${where ? where + ': ' : ''}${d.severity} ${d.message} [${d.code}]`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}
