/**
 * Chapters parsed on two threads give what the main thread alone gives:
 * the same trees and diagnostics, in the book's order. A helper that stops,
 * with chapters taken and not answered, or that cannot start, leaves them to
 * the main thread; a chapter that cannot be parsed fails as it would
 * without a helper.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPublication } from '../scripts/load/load-publication.ts';
import type { ChapterSource } from '../scripts/model.ts';
import { helpersFor, HELPER_MIN_CHARS, parseChapters, type ParseJob } from '../scripts/parse/parse-threads.ts';
import { ROOT, tempDir } from './helpers/build.ts';

const NOVEL = path.join(ROOT, '..', 'shared', 'fixtures', 'novel');

async function novelJobs() {
  const pub = await loadPublication(NOVEL);
  const jobs: ParseJob[] = pub.chapters.map((source, index) => ({ index, source, shown: source.relPath }));
  return { jobs, common: { publicationDir: pub.dir, bookLanguage: pub.meta.language } };
}

/** A small book of its own: one chapter names an image that is not there (an error), one has raw HTML. */
function smallBook() {
  const dir = tempDir();
  const source = (name: string, body: string): ChapterSource => ({ file: path.join(dir, name), relPath: name, frontMatter: {}, body, bodyStartLine: 3 });
  const sources = [
    source('01.md', '# One\n\nA paragraph with a note.[^1]\n\n[^1]: The note.\n'),
    source('02.md', '# Two\n\n![A picture](missing.png)\n'),
    source('03.md', '# Three\n\n<aside>Raw <em>HTML</em>.</aside>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'),
    source('04.md', '# Four\n\n' + 'Words and more words. '.repeat(400) + '\n'),
  ];
  const jobs: ParseJob[] = sources.map((s, index) => ({ index, source: s, shown: s.relPath }));
  return { jobs, common: { publicationDir: dir, bookLanguage: 'en' } };
}

/**
 * Options that keep the main thread after its first chapter until the helper
 * has stopped, so that the helper gets to take its jobs on a busy machine too.
 */
function heldUntilStopped(where: string[], stops: Error[]) {
  let stopped!: () => void;
  const until = new Promise<void>((resolve) => (stopped = resolve));
  return {
    onHelperStopped: (e: Error) => {
      stops.push(e);
      stopped();
    },
    onParsed: (_: number, w: 'main' | 'helper') => (where.push(w) === 1 ? until : undefined),
  };
}

describe('parsing on two threads', () => {
  it('gives the novel the trees and diagnostics the main thread alone gives', { timeout: 120_000 }, async () => {
    const novel = await novelJobs();
    const common = novel.common;
    // Every chapter with raw HTML and a missing image (an error), so that the helper's share has both.
    const jobs = novel.jobs.map((j) => ({ ...j, source: { ...j.source, body: `${j.source.body}\n\n<aside>Raw <em>HTML</em>.</aside>\n\n![Gone](gone-${j.index}.png)\n` } }));
    const alone = await parseChapters(jobs, common, { helpers: 0 });
    const where: string[] = [];
    const stops: Error[] = [];
    // The main thread waits after its first chapter until the helper (slow to load its parser on a busy machine) has answered once.
    let helped!: () => void;
    const firstHelp = new Promise<void>((resolve) => (helped = resolve));
    const onParsed = (_: number, w: 'main' | 'helper') => {
      where.push(w);
      if (w === 'helper') helped();
      else if (where.length === 1) return firstHelp;
      return undefined;
    };
    const shared = await parseChapters(jobs, common, { helpers: 1, onParsed, onHelperStopped: (e) => stops.push(e) });
    expect(stops).toEqual([]);
    // The helper did its share (it starts a little later, so it takes fewer).
    expect(where.filter((w) => w === 'helper').length).toBeGreaterThan(5);
    expect(where).toHaveLength(jobs.length);
    expect(shared.map((r) => r.chapter.index)).toEqual(jobs.map((j) => j.index));
    expect(alone.every((r) => r.diagnostics.some((d) => d.severity === 'error' && d.message.includes(`gone-${r.chapter.index}.png`)))).toBe(true);
    expect(shared).toEqual(alone);
  });

  it('gives a short book the same on one thread or two', async () => {
    const { jobs, common } = smallBook();
    const alone = await parseChapters(jobs, common, { helpers: 0 });
    expect(alone[1].diagnostics.map((d) => [d.severity, d.file])).toEqual([['error', '02.md']]);
    expect(await parseChapters(jobs, common, { helpers: 1 })).toEqual(alone);
  });

  it('parses on the main thread what a helper took and never answered', { timeout: 120_000 }, async () => {
    const { jobs, common } = await novelJobs();
    const alone = await parseChapters(jobs, common, { helpers: 0 });
    // Takes two jobs from the shared counter, then dies.
    const dies = { eval: true, code: "const { workerData } = require('node:worker_threads'); Atomics.add(new Int32Array(workerData.next), 0, 2); throw new Error('helper broke');" };
    const stops: Error[] = [];
    const where: string[] = [];
    const results = await parseChapters(jobs, common, { helpers: 1, helperEntry: dies, ...heldUntilStopped(where, stops) });
    expect(results).toEqual(alone);
    expect(where).toEqual(jobs.map(() => 'main'));
    expect(stops.map((e) => e.message)).toEqual(['helper broke']);
  });

  it('parses on the main thread a job the helper failed', { timeout: 120_000 }, async () => {
    const { jobs, common } = await novelJobs();
    const fails = {
      eval: true,
      code: "const { parentPort, workerData } = require('node:worker_threads'); const job = Atomics.add(new Int32Array(workerData.next), 0, 1); parentPort.postMessage({ job, failed: true }); parentPort.postMessage({ done: true });",
    };
    const stops: Error[] = [];
    const where: string[] = [];
    const results = await parseChapters(jobs, common, { helpers: 1, helperEntry: fails, ...heldUntilStopped(where, stops) });
    expect(results).toEqual(await parseChapters(jobs, common, { helpers: 0 }));
    expect(where).toEqual(jobs.map(() => 'main'));
    expect(stops.map((e) => e.message)).toEqual([expect.stringMatching(/^the helper could not parse job \d+$/)]);
  });

  it('parses everything on the main thread when the helper cannot start', { timeout: 120_000 }, async () => {
    const { jobs, common } = await novelJobs();
    const stops: Error[] = [];
    const missing = { eval: false, code: path.join(tempDir(), 'no-such-worker.js') };
    expect(await parseChapters(jobs, common, { helpers: 1, helperEntry: missing, ...heldUntilStopped([], stops) })).toEqual(await parseChapters(jobs, common, { helpers: 0 }));
    expect(stops).toHaveLength(1);
    expect(stops[0].message).toContain('no-such-worker.js');
  });

  it('fails on a chapter that cannot be parsed as the main thread alone does', async () => {
    const { jobs, common } = smallBook();
    // Not a string: the parser throws (a defect, not a content problem).
    const broken = jobs.map((j) => (j.index === 0 ? { ...j, source: { ...j.source, body: { length: 9e6 } as unknown as string } } : j));
    const alone = await parseChapters(broken, common, { helpers: 0 }).catch((e: Error) => e);
    expect(alone).toBeInstanceOf(Error);
    const shared = await parseChapters(broken, common, { helpers: 1 }).catch((e: Error) => e);
    expect(shared).toBeInstanceOf(Error);
    expect((shared as Error).message).toBe((alone as Error).message);
  });

  it('starts a helper only for a long book on a machine with a core to spare', async () => {
    const { jobs } = await novelJobs();
    const size = jobs.reduce((n, j) => n + j.source.body.length, 0);
    expect(size).toBeLessThan(HELPER_MIN_CHARS);
    expect(helpersFor(jobs, 2)).toBe(0);
    const long = [...jobs, ...jobs, ...jobs].map((j, index) => ({ ...j, index }));
    expect(helpersFor(long, 2)).toBe(1);
    expect(helpersFor(long, 1)).toBe(0);
    expect(helpersFor(long.slice(0, 1).map((j) => ({ ...j, source: { ...j.source, body: 'x'.repeat(HELPER_MIN_CHARS) } })), 2)).toBe(0);
    expect(fs.existsSync(path.join(ROOT, 'scripts', 'parse', 'parse-worker.ts'))).toBe(true);
  });
});
