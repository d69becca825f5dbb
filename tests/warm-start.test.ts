/**
 * Layout pages made ready before a build (colophon dev makes them while it
 * waits for an edit): the build lays out in them, or closes them when it has
 * no use for them, and leaves no work folder behind either way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../scripts/build.ts';
import { launchBrowser, type BrowserSession } from '../scripts/browser.ts';
import { prepareWarmStart, prepareWorkerPages, workersPerEdition } from '../scripts/paginate/worker-pages.ts';
import { ROOT, tempDir } from './helpers/build.ts';

const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');

describe('layout pages made ready before a build', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await launchBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('are laid out in, then closed with their work folder', { timeout: 300_000 }, async () => {
    const warm = prepareWarmStart(Promise.resolve(session), ['screen', 'print']);
    const tabs = await Promise.all(Object.values(warm.pages).flat());
    expect(tabs.length).toBeGreaterThan(0);
    expect(tabs.every((t) => t && !t.page.isClosed())).toBe(true);
    let opened = 0;
    const count = () => void opened++;
    session.browser.on('targetcreated', count);
    const summary = await build({ input: SAMPLE, outDir: tempDir(), formats: ['pdf', 'print'], partSize: 1, cacheDir: false, browser: async () => session, warm });
    session.browser.off('targetcreated', count);
    // No page was opened for the build: its workers took those made ready.
    expect(opened).toBe(0);
    const { layout } = summary.publications[0];
    // Every worker began in a page made ready before the build.
    expect(layout.screen!.prepared).toBe(warm.pages.screen!.length);
    expect(layout.print!.prepared).toBe(warm.pages.print!.length);
    expect(tabs.every((t) => t!.page.isClosed())).toBe(true);
    expect(fs.existsSync(warm.work)).toBe(false);
    // The browser stays the caller's: open, with none of the build's pages left in it.
    expect(session.browser.connected).toBe(true);
  });

  it('are closed with their work folder by a build that has no use for them', { timeout: 300_000 }, async () => {
    // Made for both PDF editions; the build makes the EPUB alone.
    const warm = prepareWarmStart(Promise.resolve(session), ['screen', 'print']);
    const tabs = await Promise.all(Object.values(warm.pages).flat());
    await build({ input: SAMPLE, outDir: tempDir(), formats: ['epub'], cacheDir: false, browser: async () => session, warm });
    expect(tabs.every((t) => t!.page.isClosed())).toBe(true);
    expect(fs.existsSync(warm.work)).toBe(false);
  });

  it('are closed with their work folder by a build that fails', { timeout: 300_000 }, async () => {
    const warm = prepareWarmStart(Promise.resolve(session), ['screen', 'print']);
    const tabs = await Promise.all(Object.values(warm.pages).flat());
    await expect(build({ input: path.join(tempDir(), 'missing'), outDir: tempDir(), formats: ['pdf', 'print'], browser: async () => session, warm })).rejects.toThrow();
    expect(tabs.every((t) => t!.page.isClosed())).toBe(true);
    expect(fs.existsSync(warm.work)).toBe(false);
  });

  it('get ready no more than the parts a build expects to lay out', () => {
    const work = tempDir();
    const count = (expected?: number) =>
      // No browser: every page gives up (undefined), which the build's workers take as none made ready.
      prepareWorkerPages(Promise.reject(new Error('no browser')), work, ['screen'], expected).screen!.length;
    // One edition has every core (two here, as on the machines builds run on).
    const all = workersPerEdition(1);
    expect(all).toBeGreaterThan(1);
    expect(count()).toBe(all);
    expect(count(50)).toBe(all);
    // After an edit of one chapter, or of none (the front matter may still be laid out), one page.
    expect(count(1)).toBe(1);
    expect(count(0)).toBe(1);
  });
});
