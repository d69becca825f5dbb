/**
 * The build cache (laid-out parts, printed books, parsed chapters, covers)
 * would grow with every edit; after a build the least recently used entries
 * are removed until it fits its budget. Hits refresh an entry's mtime.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CACHE_BUDGET_BYTES = 1024 * 2 ** 20;

export function pruneCache(dir: string, budget = CACHE_BUDGET_BYTES): { removed: number; bytes: number } {
  const files: Array<{ file: string; size: number; mtime: number }> = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const stat = fs.statSync(p);
        files.push({ file: p, size: stat.size, mtime: stat.mtimeMs });
      }
    }
  };
  walk(dir);
  let bytes = files.reduce((sum, f) => sum + f.size, 0);
  let removed = 0;
  files.sort((a, b) => a.mtime - b.mtime);
  for (const f of files) {
    if (bytes <= budget) break;
    fs.rmSync(f.file, { force: true });
    bytes -= f.size;
    removed++;
  }
  return { removed, bytes };
}
