/** The check results as aligned plain-text tables, one per publication. */
import type { PublicationCheck } from './types.ts';

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => [...r[col]].length)));
  return rows
    .map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell + ' '.repeat(widths[col] - [...cell].length))).join('  ').trimEnd())
    .join('\n');
}

export function formatPublicationCheck(pub: PublicationCheck, displayDir: string): string {
  const rows = [['file', 'check', 'result', 'detail'], ...pub.results.map((r) => [r.file, r.check, r.ok ? 'ok' : 'FAIL', r.detail])];
  const failed = pub.results.filter((r) => !r.ok).length;
  const verdict = failed ? `${failed} check(s) failed` : `all ${pub.results.length} checks passed`;
  const body = pub.results.length ? formatTable(rows) : '(no EPUB or PDF outputs to check)';
  return `${pub.title} (${displayDir})\n${indent(body)}\n  ${verdict}\n`;
}

function indent(s: string): string {
  return s.split('\n').map((l) => `  ${l}`).join('\n');
}
