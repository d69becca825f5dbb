import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneCache } from '../scripts/write/prune-cache.ts';
import { tempDir } from './helpers/build.ts';

describe('pruneCache', () => {
  it('removes the least recently used entries until the cache fits its budget', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'pages'));
    const names = ['a', 'b', 'c', 'd'];
    names.forEach((name, i) => {
      const file = path.join(dir, 'pages', name);
      fs.writeFileSync(file, Buffer.alloc(100));
      const t = new Date(Date.UTC(2026, 0, 1 + i));
      fs.utimesSync(file, t, t);
    });
    expect(pruneCache(dir, 250)).toEqual({ removed: 2, bytes: 200 });
    expect(fs.readdirSync(path.join(dir, 'pages')).sort()).toEqual(['c', 'd']);
    expect(pruneCache(dir, 1000)).toEqual({ removed: 0, bytes: 200 });
  });

  it('does nothing for a cache that does not exist', () => {
    expect(pruneCache(path.join(tempDir(), 'none'))).toEqual({ removed: 0, bytes: 0 });
  });
});
