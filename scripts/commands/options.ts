/** Option values shared by several commands, checked once so every command reports bad usage alike. */
import { FORMATS, type Format, type Logger } from '../context.ts';
import { UsageError } from '../diagnostics.ts';
import type { Io } from './io.ts';
import { renderDiagnostic } from './report.ts';

export function parseFormats(value: string): Format[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length || !list.length) {
    throw new UsageError(`Unknown format "${bad.join(', ') || value}". Choose from: ${FORMATS.join(', ')}.`);
  }
  return [...new Set(list)] as Format[];
}

export function parseSeconds(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${option} takes a number of seconds, not "${value}".`);
  return n;
}

/** Progress goes to stderr so that stdout stays clean for --json. */
export function consoleLogger(io: Io, quiet: boolean): Logger {
  return {
    step: (m) => (quiet ? undefined : io.err(`• ${m}\n`)),
    info: (m) => (quiet ? undefined : io.err(`${m}\n`)),
    warn: (d) => io.err(renderDiagnostic(d) + '\n'),
  };
}
