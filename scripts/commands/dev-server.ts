/**
 * The preview server of `colophon dev`: serves the output folder on
 * localhost, adds a few lines to every HTML page that reload it when the
 * server sends a server-sent event, and lets the watcher announce rebuilds.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export const EVENTS_PATH = '/__colophon/events';

const OVERLAY_ID = 'colophon-error-overlay';
const OVERLAY_STYLE =
  'position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5em;background:rgba(20,20,20,0.94);' +
  'color:#fff;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap';

/** Reloads the page after a rebuild; shows a failed build's problems over the page until the next good one. */
const RELOAD_SCRIPT = `<script>(() => {
  const events = new EventSource(${JSON.stringify(EVENTS_PATH)});
  events.addEventListener('reload', () => location.reload());
  events.addEventListener('build-error', (e) => {
    let el = document.getElementById(${JSON.stringify(OVERLAY_ID)});
    if (!el) {
      el = document.createElement('pre');
      el.id = ${JSON.stringify(OVERLAY_ID)};
      el.setAttribute('role', 'alert');
      el.style.cssText = ${JSON.stringify(OVERLAY_STYLE)};
      document.body.append(el);
    }
    el.textContent = JSON.parse(e.data).message;
  });
})();</script>`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The overlay as markup, for pages loaded while the last build is failing (shown with or without script). */
function overlayHtml(message: string): string {
  return `<pre id="${OVERLAY_ID}" role="alert" style="${OVERLAY_STYLE}">${escapeHtml(message)}</pre>`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.pdf': 'application/pdf',
  '.epub': 'application/epub+zip',
};

export interface PreviewServer {
  url: string;
  /** Tells every open page to reload (and forgets a previous build error). */
  reload(): void;
  /** Shows a failed build's problems over every open page and every page served until the next reload. */
  showError(message: string): void;
  close(): Promise<void>;
}

export function startPreviewServer(root: string, port: number, host = '127.0.0.1'): Promise<PreviewServer> {
  const clients = new Set<http.ServerResponse>();
  const state: { error?: string } = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === EVENTS_PATH) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    void serveSoon(root, decodeURIComponent(url.pathname), res, () => state.error);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://${host}:${actual}/`,
        reload() {
          state.error = undefined;
          for (const c of clients) c.write('event: reload\ndata: {}\n\n');
        },
        showError(message) {
          state.error = message;
          for (const c of clients) c.write(`event: build-error\ndata: ${JSON.stringify({ message })}\n\n`);
        },
        close() {
          for (const c of clients) c.end();
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

/**
 * A build swaps its new folder in with two renames; a request that falls
 * between them would find nothing, or lose a file between finding and reading
 * it. What is missing is looked for again for a moment before the answer is
 * "not found".
 */
async function serveSoon(root: string, pathname: string, res: http.ServerResponse, error: () => string | undefined): Promise<void> {
  for (let tries = 0; ; tries++) {
    let found: Found | undefined;
    try {
      found = lookUp(root, pathname);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(e as Error).message}\n`);
      return;
    }
    if (found || tries >= 10) return answer(res, found, error());
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Found = { outside: true } | { redirect: string } | { type: string; body: Buffer };

/** What a path names under the output folder; undefined for what is not there (now). */
function lookUp(root: string, pathname: string): Found | undefined {
  let file = path.resolve(root, '.' + pathname);
  // Only files under the output folder are served, whatever `..` the URL holds.
  if (file !== root && !file.startsWith(root + path.sep)) return { outside: true };
  try {
    if (fs.statSync(file).isDirectory()) {
      if (!pathname.endsWith('/')) return { redirect: pathname + '/' };
      file = path.join(file, 'index.html');
    }
    return { type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', body: fs.readFileSync(file) };
  } catch (e) {
    // Gone, or a folder where a file was asked for: not there.
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw e;
  }
}

function answer(res: http.ServerResponse, found: Found | undefined, error?: string): void {
  if (!found || 'outside' in found) return notFound(res);
  if ('redirect' in found) {
    res.writeHead(301, { location: found.redirect }).end();
    return;
  }
  let body: Buffer | string = found.body;
  if (found.type.startsWith('text/html')) {
    const html = body.toString('utf8');
    const extra = (error ? overlayHtml(error) : '') + RELOAD_SCRIPT;
    body = html.includes('</body>') ? html.replace('</body>', `${extra}</body>`) : html + extra;
  }
  res.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store' }).end(body);
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found. Is the build finished?\n');
}
