/**
 * A few lines of the file around a problem with a caret under the column, so
 * an author sees the mistake without opening an editor. Only for the text
 * formats people write by hand (YAML and Markdown); anything unreadable
 * yields no frame rather than a second error.
 */
import fs from 'node:fs';
import path from 'node:path';

const FRAMED = /\.(ya?ml|md|markdown)$/i;
const CONTEXT = 2;
const MAX_WIDTH = 120;

export function codeFrame(file: string, line: number, column: number | undefined, cwd = process.cwd()): string | undefined {
  if (!FRAMED.test(file) || line < 1) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (line > lines.length) return undefined;
  const first = Math.max(1, line - CONTEXT);
  const last = Math.min(lines.length, line + CONTEXT);
  const gutter = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' ';
    const src = clip(lines[n - 1]);
    out.push(`${marker} ${String(n).padStart(gutter)} | ${src}`.trimEnd());
    if (n === line && column !== undefined && column >= 1) {
      // Keep tabs from the source so the caret lines up however tabs are shown.
      const lead = lines[n - 1].slice(0, Math.min(column - 1, MAX_WIDTH)).replace(/[^\t]/g, ' ');
      out.push(`  ${' '.repeat(gutter)} | ${lead}^`);
    }
  }
  return out.join('\n');
}

function clip(s: string): string {
  return s.length > MAX_WIDTH ? s.slice(0, MAX_WIDTH) + '…' : s;
}
