/** Real builds of real publications into temporary folders, removed at exit. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { build, type BuildSummary } from '../../scripts/build.ts';
import type { Format } from '../../scripts/context.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const FIXTURES = path.resolve(ROOT, '..', 'shared', 'fixtures');

const made: string[] = [];
const cleanUp = () => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
};
// Vitest workers may end without an 'exit' event: clean up after each test file too.
afterAll(cleanUp);
process.on('exit', cleanUp);

export function tempDir(prefix = 'colophon-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export async function buildInto(
  input: string,
  options: { formats?: Format[]; outDir?: string; sourceDateEpoch?: number } = {},
): Promise<BuildSummary & { outDir: string }> {
  const outDir = options.outDir ?? tempDir();
  const summary = await build({
    input,
    outDir,
    formats: options.formats ?? ['pdf', 'print', 'epub', 'web'],
    sourceDateEpoch: options.sourceDateEpoch,
  });
  return { ...summary, outDir };
}

/** Plain text of a chapter's Markdown body: enough to find its words in a PDF. */
export function markdownToPlain(md: string): string {
  return md
    .replace(/<[^>]+>/g, '')
    .replace(/\[\^[^\]]+\]/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]/g, '')
    .replace(/\\([$*_\\[\]])/g, '$1');
}

/**
 * The closing words (up to six) of the last prose paragraph of a chapter:
 * tables, code, notes and raw HTML blocks are skipped, and a short tail keeps
 * the comparison clear of right-to-left runs that extraction reorders.
 */
export function closingWords(chapterFile: string, count = 6): string {
  const blocks = fs
    .readFileSync(chapterFile, 'utf8')
    .trim()
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b && !/^(#|\[\^|\||```|<| {4}|---)/.test(b));
  const words = markdownToPlain(blocks[blocks.length - 1]).split(/\s+/).filter(Boolean);
  return words.slice(-count).join(' ');
}
