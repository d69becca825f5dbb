/**
 * Parsed chapters are cached between builds: a rebuild parses only the
 * chapters that changed, gives the same outputs, and still reports an image
 * that went missing from a chapter it did not parse again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../scripts/build.ts';
import { createContext } from '../scripts/context.ts';
import { ContentError } from '../scripts/diagnostics.ts';
import { loadPublication } from '../scripts/load/load-publication.ts';
import { chaptersToParse } from '../scripts/parse/parse-publication.ts';
import { ROOT, tempDir } from './helpers/build.ts';

const entries = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe('parse cache', () => {
  it('parses again only what changed and still finds a missing image', { timeout: 120_000 }, async () => {
    const pub = path.join(tempDir(), 'guide');
    fs.cpSync(path.join(ROOT, 'content', 'colophon-guide'), pub, { recursive: true });
    const out = tempDir();
    const parsed = path.join(out, '.colophon-cache', 'parsed');
    const chapters = fs.readdirSync(pub).filter((f) => f.endsWith('.md')).length;
    // How many chapters the cache lacks, asked before a build parses (how many layout pages get ready).
    const toParse = async (cacheDir?: false) => chaptersToParse(await loadPublication(pub), createContext({ input: pub, outDir: out, formats: ['web'], cacheDir }));
    expect(await toParse()).toBe(chapters);

    await build({ input: pub, outDir: out, formats: ['web'] });
    expect(await toParse()).toBe(0);
    expect(await toParse(false)).toBe(chapters);
    const first = entries(parsed);
    expect(first).toHaveLength(chapters);
    const page = fs.readFileSync(path.join(out, 'guide', 'index.html'), 'utf8');

    await build({ input: pub, outDir: out, formats: ['web'] });
    expect(entries(parsed)).toEqual(first);
    expect(fs.readFileSync(path.join(out, 'guide', 'index.html'), 'utf8')).toBe(page);

    const chapter = path.join(pub, '04-paper-and-screen.md');
    fs.appendFileSync(chapter, '\nA sentence added in an edit.\n');
    expect(await toParse()).toBe(1);
    await build({ input: pub, outDir: out, formats: ['web'] });
    expect(entries(parsed)).toHaveLength(chapters + 1);
    expect(fs.readFileSync(path.join(out, 'guide', 'index.html'), 'utf8')).toContain('A sentence added in an edit.');

    fs.rmSync(path.join(pub, 'images', 'pipeline.png'));
    const failed = await build({ input: pub, outDir: out, formats: ['web'] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ContentError);
    expect(String((failed as ContentError).message) + JSON.stringify((failed as ContentError).diagnostics)).toContain('pipeline.png');
  });
});
