/** The folder of an installed npm package, even when its `exports` hide package.json. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let root: string | undefined;
/**
 * Colophon's own folder (templates, in-page scripts, package.json). Found by
 * walking up, not by a fixed '..': this module runs from scripts/util/ and,
 * compiled, from a single file in lib/.
 */
export function toolRoot(): string {
  root ??= packageAbove(import.meta.dirname, 'colophon');
  if (!root) throw new Error(`Cannot find Colophon's package.json above ${import.meta.dirname}.`);
  return root;
}

/** The nearest folder at or above `start` whose package.json names the package `name`. */
function packageAbove(start: string, name: string): string | undefined {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
  }
  return undefined;
}

/** A file that ships with Colophon and is read at run time, by its path in the package. */
export function toolFile(...segments: string[]): string {
  return path.join(toolRoot(), ...segments);
}

export function packageDir(pkg: string): string {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    const dir = packageAbove(path.dirname(require.resolve(pkg)), pkg);
    if (!dir) throw new Error(`Cannot find the folder of the package ${pkg}.`);
    return dir;
  }
}
