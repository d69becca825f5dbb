/**
 * The preview server of `colophon dev`: serves the output folder on
 * localhost, adds a few lines to every HTML page that reload it when the
 * server sends a server-sent event, and lets the watcher announce rebuilds.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export const EVENTS_PATH = '/__colophon/events';

const RELOAD_SCRIPT = `<script>new EventSource(${JSON.stringify(EVENTS_PATH)}).addEventListener('reload', () => location.reload());</script>`;

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
  /** Tells every open page to reload. */
  reload(): void;
  close(): Promise<void>;
}

export function startPreviewServer(root: string, port: number, host = '127.0.0.1'): Promise<PreviewServer> {
  const clients = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === EVENTS_PATH) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    serveFile(root, decodeURIComponent(url.pathname), res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://${host}:${actual}/`,
        reload() {
          for (const c of clients) c.write('event: reload\ndata: {}\n\n');
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

function serveFile(root: string, pathname: string, res: http.ServerResponse): void {
  let file = path.resolve(root, '.' + pathname);
  // Only files under the output folder are served, whatever `..` the URL holds.
  if (file !== root && !file.startsWith(root + path.sep)) return notFound(res);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    if (!pathname.endsWith('/')) {
      res.writeHead(301, { location: pathname + '/' }).end();
      return;
    }
    file = path.join(file, 'index.html');
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return notFound(res);
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  let body: Buffer | string = fs.readFileSync(file);
  if (type.startsWith('text/html')) {
    const html = body.toString('utf8');
    body = html.includes('</body>') ? html.replace('</body>', `${RELOAD_SCRIPT}</body>`) : html + RELOAD_SCRIPT;
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found. Is the build finished?\n');
}
