/**
 * The browser a build starts runs only what the build uses: a renderer per
 * page we open and no other (no omnibox popup, no spare renderer), and no
 * network service process of its own. Each of those costs 80–160 MB of the
 * build's peak memory. Its renderers all run at the same priority. And a
 * browser that goes away mid-message does not take the build's process with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSandboxedPage, type BrowserSession } from '../scripts/browser.ts';
import { tempDir } from './helpers/build.ts';
import { descendants } from '../scripts/util/process-tree.ts';

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    // the process ended while we looked
    return '';
  }
}

/** The command lines of every process below `root`. */
function commandLines(root: number): string[] {
  return descendants(root).map(commandLine).filter(Boolean);
}

/** The nice value of a process's main thread (field 19 of /proc/PID/stat). */
function niceOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('the browser of a build', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await launchBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('runs one renderer per page it was asked for, each at the same priority, and no network service process', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'page.html'), '<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>');
    const tabs = [await openSandboxedPage(session, [dir]), await openSandboxedPage(session, [dir])];
    for (const { page } of tabs) await page.goto(pathToFileURL(path.join(dir, 'page.html')).href, { waitUntil: 'load' });
    // A spare renderer, where Chromium keeps one, is started once a navigation is done.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect(session.browser.targets().filter((t) => t.type() !== 'browser' && t.type() !== 'page').map((t) => t.url())).toEqual([]);
    const processes = commandLines(session.pid);
    expect(processes.filter((p) => p.includes('--type=renderer'))).toHaveLength(2);
    expect(processes.filter((p) => p.includes('--utility-sub-type=network.mojom.NetworkService'))).toEqual([]);
    // Both renderers at the same priority: Chromium lowers the one of a tab
    // that is not the window's active one (nice 5 on Linux), and that page
    // then gets a third of the CPU the other does on a busy machine.
    const renderers = descendants(session.pid).filter((pid) => commandLine(pid).includes('--type=renderer'));
    expect(renderers.map(niceOf)).toEqual([0, 0]);
    for (const { page } of tabs) await page.close();
  });
});

describe('a browser that goes away', () => {
  it('does not end the process when a write to it fails after the connection closed', { timeout: 60_000 }, async () => {
    const gone = await launchBrowser();
    const { page } = await openSandboxedPage(gone, [tempDir()]);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      // Chromium stops reading: a long message stays queued in Node, past what the pipe holds.
      process.kill(-gone.pid, 'SIGSTOP');
      const pending = page.evaluate(`${JSON.stringify('x'.repeat(4_000_000))}.length`).catch(() => undefined);
      // The connection closes (puppeteer stops listening to the pipe), then Chromium goes: the queued write fails.
      await gone.browser.disconnect();
      process.kill(-gone.pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await pending;
    } finally {
      process.off('uncaughtException', onUncaught);
      await gone.close();
    }
    expect(uncaught).toEqual([]);
  });

  it('fails a page asked for as it closes at once, instead of after waiting 30 s for the page to show up', { timeout: 60_000 }, async () => {
    // A build whose content fails closes the browser while its cover and layout pages are being opened.
    for (const delay of [0, 20]) {
      const gone = await launchBrowser();
      const started = Date.now();
      const opening = openSandboxedPage(gone, [tempDir()]);
      opening.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, delay));
      await gone.close();
      await expect(opening).rejects.toThrow(/Chromium closed before the page opened/);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });
});
