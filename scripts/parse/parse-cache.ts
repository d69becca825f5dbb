/**
 * Parsed chapters kept between builds, so that a rebuild after editing one
 * chapter parses only that chapter (the EPUB and web editions are made from
 * the parsed trees). An entry is found by the hash of everything parsing
 * reads: the chapter's source, the publication folder and language, the
 * chapter's place in the book, and the parser itself (its modules and the
 * locked dependency versions). Images are checked for again on a hit: a
 * picture deleted since must still be reported.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { toolFile } from '../util/package-dir.ts';
import { codeVersion } from '../util/code-version.ts';
import type { Diagnostic } from '../diagnostics.ts';
import type { ParsedChapter } from '../model.ts';
import { markUsed, writeCacheEntry } from '../write/cache-entry.ts';

export interface CachedParse {
  chapter: Omit<ParsedChapter, 'source'>;
  diagnostics: Diagnostic[];
}

function parserVersion(toolRoot: string): string {
  return codeVersion(toolRoot, [toolFile('scripts', 'parse'), toolFile('scripts', 'model.ts')]);
}

export function parseCacheKey(toolRoot: string, inputs: unknown): string {
  return createHash('sha256').update(parserVersion(toolRoot)).update(JSON.stringify(inputs)).digest('hex');
}

const entryFile = (dir: string, key: string) => path.join(dir, `${key}.json.gz`);

/** Whether an entry is kept under `key` (read or not). */
export function hasParsed(dir: string, key: string): boolean {
  return fs.existsSync(entryFile(dir, key));
}

export function readParsed(dir: string, key: string): CachedParse | undefined {
  try {
    const file = entryFile(dir, key);
    const entry = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as CachedParse;
    if (!entry.chapter.images.every((image) => fs.existsSync(image))) return undefined;
    markUsed(file);
    return entry;
  } catch {
    return undefined;
  }
}

export function writeParsed(dir: string, key: string, entry: CachedParse): void {
  try {
    writeCacheEntry(entryFile(dir, key), zlib.gzipSync(JSON.stringify(entry), { level: 1 }));
  } catch {
    // A cache that cannot be written only makes the next build slower.
  }
}
