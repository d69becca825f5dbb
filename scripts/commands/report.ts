/**
 * Prints a failed command's error for people (or, with --json, as data on
 * stdout as well) and returns the exit status decided in errors.ts.
 */
import { CommanderError } from 'commander';
import { ContentError, EnvironmentError, UsageError, formatLocation, type Diagnostic } from '../diagnostics.ts';
import { PaginationError } from '../paginate/paginate.ts';
import { CommandError, EXIT, catalogueEntry, exitCodeOf, type ExitCode } from '../errors.ts';
import { codeFrame } from './code-frame.ts';
import type { Io } from './io.ts';

export interface ReportOptions {
  debug: boolean;
  json: boolean;
}

/** One diagnostic as `file:line:column: error message [CODE]`, its code frame and a hint. */
export function renderDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d);
  const lines = [`${where ? `${where}: ${d.severity}` : `${d.severity}:`} ${d.message} [${d.code}]`];
  const frame = d.file && d.line !== undefined ? codeFrame(d.file, d.line, d.column) : undefined;
  if (frame) lines.push(frame);
  const hint = d.hint ?? catalogueEntry(d.code)?.hint;
  if (hint) lines.push(`  hint: ${hint}`);
  return lines.join('\n');
}

/** The error as diagnostics, whatever its class, so text and JSON output share one shape. */
export function toDiagnostics(error: unknown): Diagnostic[] {
  if (error instanceof ContentError) return error.diagnostics;
  if (error instanceof CommandError) return [{ severity: 'error', code: error.code, message: error.message, hint: error.hint }];
  if (error instanceof EnvironmentError) return [{ severity: 'error', code: 'ENVIRONMENT', message: error.message, hint: error.hint }];
  if (error instanceof PaginationError) return [{ severity: 'error', code: 'PAGINATION_FAILED', message: error.message, hint: error.hint }];
  if (error instanceof UsageError) return [{ severity: 'error', code: 'USAGE', message: error.message }];
  const message = error instanceof Error ? error.message : String(error);
  return [{ severity: 'error', code: 'INTERNAL', message }];
}

export function reportError(error: unknown, io: Io, options: ReportOptions): ExitCode {
  const exit = exitCodeOf(error);
  // Commander has already printed its own message (or the help text).
  if (error instanceof CommanderError) return exit;

  const diagnostics = toDiagnostics(error);
  // A failed check has already printed its results as JSON; one document on stdout, not two.
  const printedJson = error instanceof CommandError && error.code === 'CHECK_FAILED';
  if (options.json && !printedJson) io.out(JSON.stringify({ ok: false, exitCode: exit, errors: diagnostics }, null, 2) + '\n');

  if (exit === EXIT.bug) {
    const e = error instanceof Error ? error : new Error(String(error));
    io.err(`internal error: ${e.message}\n`);
    io.err(options.debug ? `${e.stack}\n` : `${catalogueEntry('INTERNAL')?.hint}\n`);
    return exit;
  }
  io.err(diagnostics.map(renderDiagnostic).join('\n\n') + '\n');
  if (error instanceof ContentError) {
    const n = diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`\n${n} problem${n === 1 ? '' : 's'} found; nothing was written.\n`);
  }
  if (options.debug) {
    const e = error as Error;
    io.err(`${e.stack ?? e}\n`);
    if (e.cause) io.err(`caused by: ${(e.cause as Error).stack ?? e.cause}\n`);
  }
  return exit;
}
