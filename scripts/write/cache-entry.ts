/**
 * Entries of the build cache (`<out>/.colophon-cache/`): written whole or not
 * at all (a sibling renamed over the target, so a killed build never leaves a
 * half entry), and marked when used, since pruning (prune-cache.ts) removes
 * the least recently used first.
 */
import fs from 'node:fs';
import path from 'node:path';

export function writeCacheEntry(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function markUsed(...files: string[]): void {
  const now = new Date();
  for (const file of files) fs.utimesSync(file, now, now);
}
