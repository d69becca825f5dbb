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

/** An entry's bytes, marked used; undefined when it is not there or cannot be read (it is made again then). */
export function readCacheEntry(file: string): Buffer | undefined {
  try {
    const data = fs.readFileSync(file);
    markUsed(file);
    return data;
  } catch {
    return undefined;
  }
}

export function markUsed(...files: string[]): void {
  const now = new Date();
  for (const file of files) fs.utimesSync(file, now, now);
}
