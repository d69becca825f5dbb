import path from 'node:path';

/** Relative to the working directory when below it, else absolute: `../../tmp/x` helps nobody. */
export function displayPath(p: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
