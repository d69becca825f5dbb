/**
 * What a cache entry's maker is: a hash of the tool's own sources that make it
 * (folders read whole, in name order) and of the locked dependency versions.
 * Computed once per process for each list of sources.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const versions = new Map<string, string>();

export function codeVersion(toolRoot: string, sources: string[]): string {
  const key = [toolRoot, ...sources].join('\n');
  let version = versions.get(key);
  if (version) return version;
  const h = createHash('sha256');
  for (const source of sources) {
    const files = fs.statSync(source).isDirectory() ? fs.readdirSync(source).sort().map((name) => path.join(source, name)) : [source];
    for (const file of files) h.update(path.basename(file)).update(fs.readFileSync(file));
  }
  const lock = path.join(toolRoot, 'package-lock.json');
  if (fs.existsSync(lock)) h.update(fs.readFileSync(lock));
  version = h.digest('hex');
  versions.set(key, version);
  return version;
}
