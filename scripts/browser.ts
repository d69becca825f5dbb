/**
 * The one module that owns Chromium: it finds the binary, launches it with
 * flags that are safe offline and as root, keeps its profile in a temporary
 * folder that is removed on close, and opens pages that may load nothing but
 * files of the build. Every blocked request, failed load and script error is
 * recorded so the caller can turn it into a build error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { EnvironmentError } from './diagnostics.ts';

const KNOWN_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export const INSTALL_HINT =
  'Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; or run `npm run setup`), ' +
  'or point COLOPHON_CHROMIUM at a Chromium or Chrome binary.';

/** Chromium from an explicit path, the environment, PATH, or the usual install places. */
export function findChromium(explicit?: string): string {
  // A path the user gave is used as given: falling back to another Chromium would hide the mistake.
  const env = process.env.COLOPHON_CHROMIUM;
  const chosen = explicit ? { value: explicit, from: 'The Chromium path given' } : env ? { value: env, from: 'COLOPHON_CHROMIUM' } : undefined;
  if (chosen) {
    if (isExecutableFile(chosen.value)) return chosen.value;
    const why = fs.existsSync(chosen.value) ? 'which is not an executable file' : 'which does not exist';
    throw new EnvironmentError(`${chosen.from} points at ${chosen.value}, ${why}.`, INSTALL_HINT);
  }
  const candidates = [
    process.env.PUPPETEER_EXECUTABLE_PATH,
    process.env.CHROME_PATH,
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .flatMap((d) => ['chromium', 'chromium-browser', 'google-chrome'].map((n) => path.join(d, n))),
    ...KNOWN_PATHS,
  ];
  for (const c of candidates) if (c && isExecutableFile(c)) return c;
  throw new EnvironmentError('Chromium was not found; it is needed to paginate PDFs.', INSTALL_HINT);
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--font-render-hinting=none',
  '--export-tagged-pdf',
  // Paged.js reads linked stylesheets with XHR; from file:// that needs this flag.
  // Request interception still limits every page to the files of its build.
  '--allow-file-access-from-files',
  // No host name or address resolves: what request interception does not see (WebSockets,
  // preconnects, a frame's speculative connection) cannot open a socket either.
  '--host-resolver-rules=MAP * ~NOTFOUND',
  // No first tab (about:blank): every page is opened by us, and an idle one costs a renderer process.
  '--no-startup-window',
  // Nor the processes a headless browser still starts that a build never uses:
  // renderers for the omnibox popups' WebUI (about 160 MB, and the CPU to load
  // it while the layout starts), the spare renderer kept for a next navigation
  // (80 MB), and the network service's own process (100 MB; in the browser's).
  // The novel's PDF: peak memory of the process tree 1.62 → 1.27 GB.
  // (The first seven are those puppeteer's launcher disables.)
  '--disable-features=Translate,AcceptCHFrame,MediaRouter,OptimizationHints,WebUIReloadButton,ProcessPerSiteUpToMainFrameThreshold,IsolateSandboxedIframes,' +
    'WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess',
  // Every page's renderer at the foreground priority: Chromium lowers that
  // of a tab that is not its window's active one (nice 5 on Linux, which
  // --disable-renderer-backgrounding does not prevent), so one of two layout
  // pages got a third of the CPU the other did while both laid out. Pages
  // in windows of their own stay at the same priority too, but are painted:
  // slower. The novel's PDF, cold, 10 alternating pairs: median 9.5 → 9.1 s.
  '--enable-features=PdfOopif,NetworkServiceInProcess2,ForceForegroundPriorityForAllTabs',
  // The GPU process draws nothing with --disable-gpu but costs 80 MB; in the browser's process
  // the 4× book's peak is about 30 MB lower, its pages the same pixel for pixel.
  '--in-process-gpu',
  // What puppeteer's launcher passes (24.43.1): no throttling of pages in the
  // background (the parts are laid out in several at once), colours in sRGB,
  // no scrollbars.
  '--allow-pre-commit-input',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-breakpad',
  '--disable-client-side-phishing-detection',
  '--disable-component-extensions-with-background-pages',
  '--disable-crash-reporter',
  '--disable-hang-monitor',
  '--disable-infobars',
  '--disable-ipc-flooding-protection',
  '--disable-popup-blocking',
  '--disable-prompt-on-repost',
  '--disable-renderer-backgrounding',
  '--disable-search-engine-choice-screen',
  '--enable-automation',
  '--force-color-profile=srgb',
  '--generate-pdf-document-outline',
  '--metrics-recording-only',
  '--password-store=basic',
  '--use-mock-keychain',
  '--hide-scrollbars',
  '--mute-audio',
];

/**
 * The policy of every page we open: no script of the document runs (ours are
 * evaluated through the DevTools protocol, which it does not govern), and no
 * plug-in, frame, base URL or form. It is sent as a response header, so no
 * template can leave it out.
 */
export const CONTENT_SECURITY_POLICY = "script-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

export interface BrowserSession {
  browser: Browser;
  /** Chromium's own process (its renderers are its children). */
  pid: number;
  /** Chromium's version (part of the layout cache's keys), asked once as it connects. */
  version(): Promise<string>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  executablePath?: string;
  protocolTimeoutMs?: number;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserSession> {
  return (await startBrowser(options)).session;
}

/**
 * The browsers started and not closed: a process that ends without closing
 * one (an uncaught error, process.exit) does not leave it running, nor its
 * profile behind. Process-wide, as what it guards against is.
 */
const running = new Set<{ kill: () => void; root: string }>();
process.on('exit', () => {
  for (const { kill, root } of running) {
    kill();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/**
 * Starts Chromium and returns as soon as its process is spawned; `session`
 * settles once it answers. A caller that goes on with synchronous work
 * (parsing) meanwhile lets Chromium start on another core.
 *
 * Chromium is spawned here, talking the DevTools protocol over a pipe, and
 * puppeteer connects to it: puppeteer's launcher would load its browser
 * downloader and its WebDriver BiDi client before spawning anything (about
 * 0.1 s of a build's start; puppeteer-core 215–309 ms to load, the part that
 * speaks CDP 108–127 ms).
 */
export async function startBrowser(options: LaunchOptions = {}): Promise<{ session: Promise<BrowserSession> }> {
  const executablePath = findChromium(options.executablePath);
  // Profile and Chromium's own temporary files live in one folder that close() removes:
  // Chromium otherwise leaves org.chromium.* folders in the system temp directory.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-chromium-'));
  const profile = path.join(root, 'profile');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(profile);
  fs.mkdirSync(tmp);
  const args = [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe'];
  // Chromium refuses to start as root without this; the pages it opens are our own files.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const failed = (error: unknown) => {
    fs.rmSync(root, { recursive: true, force: true });
    return new EnvironmentError(`Chromium at ${executablePath} did not start.`, INSTALL_HINT, { cause: error });
  };
  let child: ChildProcess;
  try {
    child = spawn(executablePath, args, {
      // The protocol on file descriptors 3 (to Chromium) and 4 (from it).
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
      // Its own process group, so that what it started goes with it (below).
      detached: process.platform !== 'win32',
    });
  } catch (error) {
    throw failed(error);
  }
  // Puppeteer's transport stops listening to the pipe once the connection
  // closes: a write still under way when Chromium exits (pages closed as the
  // browser closes, a crash) then fails (EPIPE, ECONNRESET) as an 'error'
  // event nobody handles, and that ends the process. What the failure means
  // is known from the connection (its calls reject) and from Chromium's exit.
  for (const pipe of [child.stdio[3], child.stdio[4]]) pipe?.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    try {
      if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Gone already.
    }
  };
  const leftover = { kill, root };
  running.add(leftover);
  const stopped = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`Chromium exited at start (${signal ?? `code ${code}`}).`)));
  });
  stopped.catch(() => undefined);
  const session = (async (): Promise<BrowserSession> => {
    // Loaded while Chromium starts: the protocol client and its pipe, without the launcher.
    const [{ default: puppeteer }, { PipeTransport }, { environment }] = await Promise.all([
      import('puppeteer-core/internal/puppeteer-core-browser.js'),
      import('puppeteer-core/internal/node/PipeTransport.js'),
      import('puppeteer-core/internal/environment.js'),
    ]);
    // What puppeteer's Node entry sets up: the file system, for what writes or reads a file (no screen recorder).
    environment.value ??= { fs, path, ScreenRecorder: undefined as never };
    const transport = new PipeTransport(child.stdio[3] as Writable, child.stdio[4] as Readable);
    const browser = await Promise.race([
      puppeteer.connect({
        transport,
        // Laying out a long book is one long call into the page; our own per-document
        // time limits bound it, so the protocol's must not cut it short first.
        protocolTimeout: options.protocolTimeoutMs ?? 3_600_000,
      }),
      stopped,
    ]);
    let closed = false;
    // Asked now, while Node parses: each PDF edition needs it before its first
    // layout, and a round trip then waits behind the pages being made ready.
    const version = browser.version();
    version.catch(() => undefined);
    return {
      // The same class: puppeteer's internal modules are typed apart from its public types.
      browser: browser as unknown as Browser,
      pid: child.pid!,
      version: () => version,
      async close() {
        if (closed) return;
        closed = true;
        await browser.close().catch(() => undefined);
        // The profile is removed once Chromium is done writing it.
        const timer = setTimeout(kill, 5_000);
        await exited;
        clearTimeout(timer);
        running.delete(leftover);
        // Off the main thread: the profile is a few hundred files, and a build
        // closes its browser while it packages the EPUB (about 25 ms here).
        await fs.promises.rm(root, { recursive: true, force: true });
      },
    };
  })().catch((error: unknown) => {
    kill();
    running.delete(leftover);
    throw failed(error);
  });
  return { session };
}

export interface PageReport {
  /** Requests refused because they were not files of the build. */
  blocked: string[];
  /** Local files that failed to load (missing font, image…). */
  failed: string[];
  /** Uncaught script errors in the page. */
  errors: string[];
}

/** A page that may only read files below `allowedRoots`; nothing leaves the machine. */
export async function openSandboxedPage(
  session: BrowserSession,
  allowedRoots: string[],
): Promise<{ page: Page; report: PageReport }> {
  const page = await whileConnected(session.browser, session.browser.newPage());
  const report: PageReport = { blocked: [], failed: [], errors: [] };
  const roots = allowedRoots.map((r) => path.resolve(r) + path.sep);
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url === 'about:blank') {
      void request.continue();
      return;
    }
    if (url.startsWith('file:')) {
      const file = fileURLToPath(url);
      if (roots.some((r) => file.startsWith(r))) {
        if (request.isNavigationRequest() && /\.html?$/i.test(file)) void serveWithPolicy(request, file, report);
        else void request.continue();
        return;
      }
    }
    report.blocked.push(url);
    void request.abort('blockedbyclient');
  });
  page.on('requestfailed', (request) => {
    const url = request.url();
    if (!report.blocked.includes(url)) report.failed.push(url);
  });
  page.on('pageerror', (error) => {
    report.errors.push(error instanceof Error ? error.message : String(error));
  });
  // WebSockets pass request interception by; the host resolver stops them, and here they are reported.
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', ({ url }) => report.blocked.push(url));
  return { page, report };
}

/**
 * `work`, or a failure as soon as the browser is gone. A new page waits for
 * its target to show up for 30 s, even once the connection closed: a build
 * whose content failed while its cover or layout pages were being opened
 * closes the browser, then waited that long to report the problems.
 */
function whileConnected<T>(browser: Browser, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  let onGone = () => undefined as void;
  const gone = new Promise<never>((_, reject) => {
    onGone = () => reject(new Error('Chromium closed before the page opened.'));
    if (!browser.connected) onGone();
    else browser.once('disconnected', onGone);
  });
  return Promise.race([work, gone]).finally(() => browser.off('disconnected', onGone));
}

/**
 * Closes a page; a close that fails (the page or browser is gone) is no error.
 * Chromium acknowledges a close that meets a navigation's commit and then
 * drops it (crbug.com/536385539): a page closed after a layout timed out in
 * its navigation, say. Puppeteer waits for the page to go, which it then
 * never does; a close not done within `retryMs` is asked again, which Chromium
 * carries out. After `tries`, the page is left to the browser's own close.
 */
export async function closePage(page: Pick<Page, 'close' | 'isClosed'>, options: { retryMs?: number; tries?: number } = {}): Promise<void> {
  const { retryMs = 2_000, tries = 3 } = options;
  for (let i = 0; i < tries && !page.isClosed(); i++) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), retryMs)));
    const done = await Promise.race([page.close().then(() => true, () => true), late]);
    clearTimeout(timer);
    if (done) return;
  }
}

/** An HTML document of the build, answered by us with the page's content security policy. */
async function serveWithPolicy(request: HTTPRequest, file: string, report: PageReport): Promise<void> {
  let body: Buffer;
  try {
    body = await fs.promises.readFile(file);
  } catch {
    report.failed.push(request.url());
    await request.abort('failed');
    return;
  }
  await request.respond({
    status: 200,
    contentType: 'text/html; charset=utf-8',
    headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
    body,
  });
}
