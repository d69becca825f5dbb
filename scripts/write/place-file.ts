/**
 * Puts a copy of a file where an edition loads it. A file of an installed
 * package (under node_modules: fonts, Paged.js) is hard-linked instead:
 * packages are replaced, never edited in place, so the link keeps the bytes
 * it was made with, and it costs no copy (a build places the same font
 * subsets in every edition's folder: about 40 ms a folder for the novel).
 * The publication's own files are copied, so that an edit to them in place
 * never reaches built outputs. A link that cannot be made (another file
 * system, no permission) falls back to a copy.
 */
import fs from 'node:fs';
import path from 'node:path';

const PACKAGED = `${path.sep}node_modules${path.sep}`;

export function placeFile(src: string, dest: string): void {
  if (path.resolve(src).includes(PACKAGED)) linkOrCopy(src, dest);
  else fs.copyFileSync(src, dest);
}

/** A hard link where one can be made, else a copy. */
export function linkOrCopy(src: string, dest: string): void {
  try {
    fs.linkSync(src, dest);
  } catch {
    fs.copyFileSync(src, dest);
  }
}
