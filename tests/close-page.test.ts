/**
 * closePage against pages whose closes Chromium drops: Chromium acknowledges
 * a close that meets a navigation's commit and never carries it out, and a
 * build must not wait for that page forever.
 */
import { describe, expect, it } from 'vitest';
import { closePage } from '../scripts/browser.ts';

/** A page that drops its first `dropped` closes (they never settle), then closes; or fails each close with `fails`. */
function fakePage(dropped: number, fails?: Error) {
  let closed = false;
  const page = {
    asks: 0,
    isClosed: () => closed,
    close: () => {
      page.asks++;
      if (fails) return Promise.reject(fails);
      if (page.asks <= dropped) return new Promise<void>(() => undefined);
      closed = true;
      return Promise.resolve();
    },
  };
  return page;
}

describe('closePage', () => {
  it('asks once for a page that closes', async () => {
    const page = fakePage(0);
    await closePage(page, { retryMs: 20 });
    expect(page.asks).toBe(1);
    expect(page.isClosed()).toBe(true);
  });

  it('asks again when a close was dropped, and the page goes', async () => {
    const page = fakePage(2);
    await closePage(page, { retryMs: 20 });
    expect(page.asks).toBe(3);
    expect(page.isClosed()).toBe(true);
  });

  it('gives up after its tries on a page that never goes, instead of waiting for it', async () => {
    const page = fakePage(Infinity);
    const started = Date.now();
    await closePage(page, { retryMs: 20, tries: 3 });
    expect(page.asks).toBe(3);
    expect(page.isClosed()).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('takes a close that fails (the browser is gone) as done, and leaves a closed page alone', async () => {
    const failing = fakePage(0, new Error('Target closed'));
    await closePage(failing, { retryMs: 20 });
    expect(failing.asks).toBe(1);
    const closed = fakePage(0);
    await closePage(closed);
    await closePage(closed);
    expect(closed.asks).toBe(1);
  });
});
