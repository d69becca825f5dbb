/**
 * Builds are offline. A local HTTP server on 127.0.0.1 stands in for "the
 * network" and counts every TCP connection made to it (not only requests,
 * so a preconnect would count too): the sandboxed page, a full build of
 * hostile content, and a theme that imports a remote stylesheet must leave
 * it untouched, and every refused URL is reported.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, openSandboxedPage, type BrowserSession, type PageReport } from '../scripts/browser.ts';
import { build } from '../scripts/build.ts';
import { main } from '../scripts/cli.ts';
import { PaginationError } from '../scripts/paginate/paginate.ts';
import { normalise, pdftext } from './helpers/tools.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const HOSTILE = path.resolve(import.meta.dirname, 'fixtures/hostile');

const temps: string[] = [];
function temp(prefix = 'colophon-offline-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** "The network": a server that answers everything and counts connections and requests. */
let server: http.Server;
let origin: string;
const hits = { connections: 0, requests: [] as string[] };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
    res.end('LEAKED');
  });
  server.on('connection', () => hits.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

// Each test starts from a quiet network, so one test's leak does not fail the next.
beforeEach(() => {
  hits.connections = 0;
  hits.requests.length = 0;
});

function expectNoTraffic(): void {
  expect({ connections: hits.connections, requests: hits.requests }).toEqual({ connections: 0, requests: [] });
}

describe('a sandboxed page reaches nothing outside its build folder', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await launchBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  /** Opens `html` (written to a fresh build folder) in a sandboxed page, runs `then` in it, and returns the report. */
  async function visit(html: string, then = ''): Promise<{ report: PageReport; title: string; text: string }> {
    const dir = temp();
    fs.writeFileSync(path.join(dir, 'local.css'), 'body { color: black; }\n');
    fs.writeFileSync(path.join(dir, 'page.html'), html);
    const { page, report } = await openSandboxedPage(session, [dir]);
    try {
      await page.goto(pathToFileURL(path.join(dir, 'page.html')).href, { waitUntil: 'load' });
      // Our own code (as paginate runs it, through the DevTools protocol) tries the network too.
      if (then) await page.evaluate(then);
      await page.evaluate('document.fonts.ready.then(() => new Promise((r) => setTimeout(r, 300)))');
      const [title, text] = (await page.evaluate("[document.title, document.querySelector('p')?.textContent ?? '']")) as [string, string];
      return { report, title, text };
    } finally {
      await page.close();
    }
  }

  it('images, stylesheets, fonts, fetch, XHR and beacons to the network or outside files are blocked and reported; the server sees nothing', async () => {
    const outside = temp();
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'SECRET');
    const secret = pathToFileURL(path.join(outside, 'secret.txt')).href;
    const markup = {
      img: `${origin}/x.png`,
      css: 'https://example.com/x.css',
      cssImport: `${origin}/import.css`,
      font: `${origin}/font.woff2`,
      background: `${origin}/bg.png`,
    };
    const scripted = { fetch: `${origin}/fetch`, secret, xhr: `${origin}/xhr`, beacon: `${origin}/beacon` };
    const { report } = await visit(
      `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="local.css">
<link rel="stylesheet" href="${markup.css}">
<style>
@import url("${markup.cssImport}");
@font-face { font-family: Remote; src: url("${markup.font}"); }
body { font-family: Remote, serif; background: url("${markup.background}"); }
</style>
</head><body>
<p>Offline page</p>
<img src="${markup.img}" alt="">
</body></html>
`,
      `fetch(${JSON.stringify(scripted.fetch)}).catch(() => {});
       fetch(${JSON.stringify(scripted.secret)}).catch(() => {});
       { const x = new XMLHttpRequest(); x.open('GET', ${JSON.stringify(scripted.xhr)}); x.send(); }
       navigator.sendBeacon(${JSON.stringify(scripted.beacon)}, 'x');`,
    );
    expectNoTraffic();
    // Every request that was not a file of the build is in the report, and nothing else is.
    expect(new Set(report.blocked)).toEqual(new Set([...Object.values(markup), ...Object.values(scripted)]));
    expect(report.failed).toEqual([]);
  });

  it('the page’s own scripts do not run', async () => {
    const { report, title, text } = await visit(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Untouched</title>
<script src="${origin}/evil.js"></script>
</head><body><p>ORIGINAL</p>
<script>document.querySelector('p').textContent = 'PWNED'; fetch('${origin}/from-script');</script>
<img src="data:," alt="" onerror="document.title = 'PWNED'">
<iframe srcdoc="<script>parent.document.title = 'PWNED'</script>"></iframe>
</body></html>
`);
    expect([title, text]).toEqual(['Untouched', 'ORIGINAL']);
    expectNoTraffic();
    expect(report.errors).toEqual([]);
  });

  it('what interception does not see, WebSockets and preconnects, opens no socket and is reported', async () => {
    const ws = `ws://${origin.slice('http://'.length)}/socket`;
    const { report } = await visit(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="preconnect" href="${origin}"></head><body><p>x</p></body></html>`,
      `try { new WebSocket(${JSON.stringify(ws)}); } catch {}`,
    );
    expectNoTraffic();
    expect(report.blocked).toEqual([ws]);
  });
});

describe('a build makes no request that is not a file of the build', () => {
  it('hostile content builds every edition, blocks nothing and reaches no server', async () => {
    const outDir = temp();
    const summary = await build({ input: path.join(HOSTILE, 'active-content'), outDir, formats: ['pdf', 'print', 'epub', 'web'], cwd: ROOT });
    // paginate() throws a PaginationError for any blocked, failed or erroring request, so success means an empty report.
    expect(summary.publications[0].outputs.map((o) => o.kind)).toEqual(['pdf', 'print', 'epub', 'web']);
    expect(normalise(pdftext(path.join(outDir, 'active-content', 'active-content.pdf')))).toContain('The last ordinary paragraph closes the chapter.');
    expectNoTraffic();
  });

  function remoteImportPublication(): { dir: string; remote: string } {
    const dir = path.join(temp(), 'remote-theme');
    fs.mkdirSync(path.join(dir, 'templates', 'css'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'book.yaml'), 'title: Remote Theme\nauthors: [A. Tester]\nlanguage: en\ndate: 2026-01-01\n');
    fs.writeFileSync(path.join(dir, '01-one.md'), '# One\n\nA paragraph in a book whose theme wants a font from the web.\n');
    const remote = `${origin}/fonts.css?family=Remote`;
    const print = fs.readFileSync(path.join(ROOT, 'templates', 'css', 'print.css'), 'utf8');
    fs.writeFileSync(path.join(dir, 'templates', 'css', 'print.css'), `@import url("${remote}");\n${print}`);
    return { dir, remote };
  }

  it('a theme override that @imports a remote stylesheet fails the build, naming the URL', async () => {
    const { dir, remote } = remoteImportPublication();
    const outDir = temp();
    const error = await build({ input: dir, outDir, formats: ['pdf'], cwd: ROOT }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PaginationError);
    const message = (error as PaginationError).message;
    expect(message).toContain('remote-theme/book.yaml (screen PDF)');
    expect(message).toContain(`blocked a request to ${remote} (builds are offline)`);
    expect(new Set((error as PaginationError).report?.blocked)).toEqual(new Set([remote]));
    expect(fs.existsSync(path.join(outDir, 'remote-theme'))).toBe(false);
    expectNoTraffic();
  });

  it('the CLI prints that error with an offline hint and exits 1', async () => {
    const { dir, remote } = remoteImportPublication();
    const outDir = temp();
    let stdout = '';
    let stderr = '';
    const code = await main(['build', dir, '--out', outDir, '--format', 'pdf', '--quiet'], {
      out: (s) => void (stdout += s),
      err: (s) => void (stderr += s),
    });
    expect(code, stderr).toBe(1);
    expect(stderr).toContain(`blocked a request to ${remote} (builds are offline)`);
    expect(stderr).toContain('[PAGINATION_FAILED]');
    // The hint says what to do, not the catalogue's advice about slow layouts.
    expect(stderr).toMatch(/hint: Builds are offline: download the file into the publication folder/);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
    expect(stdout).toBe('');
    expectNoTraffic();
  });
});
