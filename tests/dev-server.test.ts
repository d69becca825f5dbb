/**
 * The preview server of `colophon dev` while builds swap folders in: every
 * request gets an answer, a file or "not found", and the server stays up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPreviewServer } from '../scripts/commands/dev-server.ts';
import { replaceDir } from '../scripts/write/atomic.ts';
import { tempDir } from './helpers/build.ts';

function edition(dir: string, n: number): void {
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), `<html><body><p>build ${n}</p></body></html>`);
  fs.writeFileSync(path.join(dir, 'assets', 'font.woff2'), Buffer.alloc(200_000, n));
}

describe('the preview server', () => {
  it('answers every request while builds replace the folder it serves', { timeout: 60_000 }, async () => {
    const root = tempDir();
    edition(path.join(root, 'book'), 0);
    const server = await startPreviewServer(root, 0);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    let swapping = true;
    let swaps: Promise<void> | undefined;
    try {
      swaps = (async () => {
        for (let n = 1; swapping; n++) {
          const staging = path.join(root, `.staging-${n}`);
          edition(staging, n);
          await replaceDir(staging, path.join(root, 'book'));
        }
      })();
      const statuses = new Map<number, number>();
      const ask = async (url: string) => {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = Buffer.from(await res.arrayBuffer());
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) expect(body.length).toBeGreaterThan(0);
        else expect(res.status).toBe(404);
      };
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline) {
        await Promise.all([ask(`${server.url}book/`), ask(`${server.url}book/assets/font.woff2`), ask(`${server.url}book/index.html`)]);
      }
      swapping = false;
      await swaps;
      expect(statuses.get(200)).toBeGreaterThan(100);
      expect(rejections).toEqual([]);
      // Still up.
      expect((await fetch(`${server.url}book/`)).status).toBe(200);
    } finally {
      swapping = false;
      await swaps?.catch(() => undefined);
      process.off('unhandledRejection', onRejection);
      await server.close();
    }
  });
});
