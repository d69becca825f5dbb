// Which CLI to run: the compiled one in lib/ (`npm run compile`) while it is
// newer than every TypeScript source, so an edited checkout never runs stale code.
import fs from 'node:fs';
import path from 'node:path';

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** The compiled entry point `name` (e.g. 'cli.js') under `root`/lib when it is fresh; else undefined. */
export function freshCompiled(root, name) {
  const file = path.join(root, 'lib', name);
  try {
    return fs.statSync(file).mtimeMs >= newestSource(path.join(root, 'scripts')) ? file : undefined;
  } catch {
    return undefined;
  }
}
