/**
 * Bad input gives a clear error, never a crash or a half-written output.
 *
 * Each folder under fixtures/bad/ is one broken publication; the table says
 * which diagnostics a build must report (code, file and, where there is one,
 * line). Then atomicity: a failed or killed build leaves the previous
 * dist/<slug>/ byte for byte as it was, and no staging folder behind.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchBrowser, type BrowserSession } from '../scripts/browser.ts';
import { build } from '../scripts/build.ts';
import { main } from '../scripts/cli.ts';
import { paginate, PaginationError } from '../scripts/paginate/paginate.ts';
import type { Format } from '../scripts/context.ts';
import { ContentError, EnvironmentError, formatDiagnostic, type Diagnostic } from '../scripts/diagnostics.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BAD = path.resolve(import.meta.dirname, 'fixtures/bad');
const MULTILINGUAL = path.resolve(import.meta.dirname, '../../shared/fixtures/multilingual');

const temps: string[] = [];
function temp(prefix = 'colophon-robust-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Builds `input` and returns the ContentError it must throw; paths in messages are relative to the repository. */
async function failure(input: string, options: { formats?: Format[]; outDir?: string } = {}): Promise<ContentError> {
  const outDir = options.outDir ?? temp();
  try {
    await build({ input, outDir, formats: options.formats ?? ['epub', 'web'], cwd: ROOT });
  } catch (error) {
    if (error instanceof ContentError) return error;
    throw error;
  }
  throw new Error(`building ${path.relative(ROOT, input)} succeeded; expected a ContentError`);
}

interface Expected {
  code: string;
  /** Base name of the file the diagnostic names. */
  file: string;
  line?: number;
  /** The line is not checked here (it is, further down). */
  anyLine?: true;
  /** Part of the message or hint the user must see. */
  says?: RegExp;
}

interface Case {
  name: string;
  expect: Expected[];
  formats?: Format[];
}

/** What the user must see for each broken publication, in the order it is reported. */
const CASES: Case[] = [
  { name: 'book-yaml-syntax', expect: [{ code: 'BOOK_YAML_SYNTAX', file: 'book.yaml', line: 3, says: /\]/ }] },
  { name: 'front-matter-syntax', expect: [{ code: 'FRONT_MATTER_SYNTAX', file: '02-two.md', line: 3 }] },
  { name: 'wrong-type', expect: [{ code: 'BOOK_YAML_INVALID', file: 'book.yaml', line: 2, says: /`title` must be text, not a list/ }] },
  { name: 'unknown-key', expect: [{ code: 'BOOK_YAML_UNKNOWN_KEY', file: 'book.yaml', line: 2, says: /did you mean `authors`/ }] },
  { name: 'chapter-missing', expect: [{ code: 'CHAPTER_MISSING', file: 'book.yaml', line: 4, says: /did you mean `02-two\.md`/ }] },
  { name: 'chapter-twice', expect: [{ code: 'CHAPTER_DUPLICATE', file: 'book.yaml', line: 5, says: /first on line 3/ }] },
  { name: 'empty-book', expect: [{ code: 'EMPTY_BOOK', file: 'book.yaml', says: /no Markdown \(\.md\) files/ }] },
  { name: 'empty-chapter-list', expect: [{ code: 'EMPTY_BOOK', file: 'book.yaml', line: 2 }] },
  { name: 'missing-image', expect: [{ code: 'IMAGE_MISSING', file: '01-one.md', line: 5, says: /images\/map\.png/ }] },
  { name: 'corrupt-image', expect: [{ code: 'IMAGE_UNREADABLE', file: '01-one.md', line: 5, says: /damaged/ }] },
  { name: 'truncated-image', expect: [{ code: 'IMAGE_UNREADABLE', file: '01-one.md', line: 5, says: /cut short/ }] },
  { name: 'zero-byte-chapter', expect: [{ code: 'CHAPTER_EMPTY', file: '02-empty.md', says: /0 bytes/ }] },
  { name: 'not-utf8', expect: [{ code: 'NOT_UTF8', file: '01-one.md', line: 3, says: /UTF-8/ }] },
  { name: 'template-syntax', formats: ['pdf'], expect: [{ code: 'TEMPLATE_ERROR', file: 'print.hbs', anyLine: true, says: /each doesn't match if/ }] },
  { name: 'partial-syntax', expect: [{ code: 'TEMPLATE_ERROR', file: 'chapter.hbs', line: 2 }] },
  {
    name: 'several-problems',
    expect: [
      { code: 'BOOK_YAML_UNKNOWN_KEY', file: 'book.yaml', line: 2 },
      { code: 'CHAPTER_MISSING', file: 'book.yaml', line: 7 },
      { code: 'FRONT_MATTER_SYNTAX', file: '02-two.md', line: 2 },
      { code: 'CHAPTER_EMPTY', file: '03-three.md' },
    ],
  },
  {
    name: 'two-image-problems',
    expect: [
      { code: 'IMAGE_MISSING', file: '01-one.md', line: 5 },
      { code: 'IMAGE_REMOTE', file: '02-two.md', line: 5 },
    ],
  },
];

function summary(ds: Diagnostic[]) {
  return ds.map((d) => ({ code: d.code, file: d.file && path.basename(d.file), line: d.line }));
}

function expectDiagnostics(error: ContentError, expected: Expected[]): void {
  const ds = error.diagnostics;
  const seen = summary(ds).map((d, i) => (expected[i]?.anyLine ? { ...d, line: undefined } : d));
  expect(seen).toEqual(expected.map((e) => ({ code: e.code, file: e.file, line: e.line })));
  expected.forEach((e, i) => {
    const d = ds[i];
    expect(d.severity).toBe('error');
    if (e.says) expect(`${d.message}\n${d.hint ?? ''}`).toMatch(e.says);
    // The line a user reads: path:line[:column]: error … [CODE], plus a hint.
    const shown = formatDiagnostic(d);
    expect(shown.startsWith(`${d.file}${e.line ? `:${e.line}` : ''}`), shown).toBe(true);
    expect(shown).toContain(`[${e.code}]`);
    expect(d.hint, `${e.code} gives a hint`).toBeTruthy();
  });
  // Every diagnostic of the build is in the thrown error's message.
  for (const d of ds) expect(error.message).toContain(formatDiagnostic(d));
}

describe('bad input: one clear ContentError per problem', () => {
  it('the byte-exact fixtures are what they claim to be', () => {
    const latin1 = fs.readFileSync(path.join(BAD, 'not-utf8', '01-one.md'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(latin1)).toThrow();
    expect(latin1.includes(0xe9)).toBe(true);
    const windows = fs.readFileSync(path.join(BAD, 'bom-crlf', '01-one.md'));
    expect([...windows.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(windows.toString('utf8')).toMatch(/\r\n/);
    expect(fs.statSync(path.join(BAD, 'zero-byte-chapter', '02-empty.md')).size).toBe(0);
  });

  it.each(CASES)('$name', async ({ name, expect: expected, formats }) => {
    const outDir = temp();
    const error = await failure(path.join(BAD, name), { formats, outDir });
    expectDiagnostics(error, expected);
    // Nothing is left behind: no publication folder, no staging folder.
    const left = fs.existsSync(outDir) ? fs.readdirSync(outDir) : [];
    expect(left.filter((n) => n !== 'index.html')).toEqual([]);
  });

  it('a chapter with a BOM and CRLF line endings builds, with its front matter and text intact', async () => {
    const outDir = temp();
    const summary = await build({ input: path.join(BAD, 'bom-crlf'), outDir, formats: ['epub', 'web'], cwd: ROOT });
    expect(summary.publications.map((p) => p.title)).toEqual(['Windows Line Endings']);
    const html = fs.readFileSync(path.join(outDir, 'bom-crlf', 'index.html'), 'utf8');
    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(outDir, 'bom-crlf', 'bom-crlf.epub')));
    const xhtml = await zip.file('OEBPS/ch-01.xhtml')!.async('string');
    for (const out of [html, xhtml]) {
      expect(out).not.toMatch(/\r|\uFEFF/);
      expect(out).toMatch(/>Written on Windows</); // the front matter was read, not printed
      expect(out).not.toMatch(/title: Written|<hr/);
      expect(out).toMatch(/The first paragraph ends here\.\nIt continues on a second line\./);
      expect(out).toMatch(/<h2[^>]*>A section heading<\/h2>/);
      expect(out).toMatch(/The second paragraph has “quotes” in it\./);
    }
  });
});

/** Every file below `dir` with its bytes. */
/** Every output file and its bytes; the build cache is not an output (a failed build may keep the work it did). */
function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    if (path.relative(dir, abs).split(path.sep)[0] === '.colophon-cache') continue;
    files.set(path.relative(dir, abs), fs.readFileSync(abs));
  }
  return files;
}

function expectUnchanged(dir: string, before: Map<string, Buffer>): void {
  const after = snapshot(dir);
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes), `${file} is byte-identical`).toBe(true);
}

const staging = (outDir: string) => fs.readdirSync(outDir).filter((n) => n.startsWith('.staging-'));

/** A copy of the multilingual fixture in a fresh folder, under the same folder name (so the same slug). */
function multilingualCopy(): string {
  const dir = path.join(temp(), 'multilingual');
  fs.cpSync(MULTILINGUAL, dir, { recursive: true });
  return dir;
}

describe('atomic output', () => {
  const formats: Format[] = ['pdf', 'epub', 'web'];
  let outDir: string;
  let before: Map<string, Buffer>;

  beforeAll(async () => {
    outDir = temp('colophon-atomic-');
    await build({ input: MULTILINGUAL, outDir, formats, cwd: ROOT });
    before = snapshot(outDir);
    expect([...before.keys()]).toEqual(expect.arrayContaining(['multilingual/multilingual.pdf', 'multilingual/multilingual.epub', 'multilingual/index.html', 'index.html']));
  });

  it('a build that fails on its content leaves the previous outputs byte-identical', async () => {
    const broken = multilingualCopy();
    fs.writeFileSync(path.join(broken, '02-russian.md'), '---\ntitle: Граница\nlang: [ru\n---\n\nТекст.\n');
    const error = await failure(broken, { formats, outDir });
    expect(summary(error.diagnostics)).toEqual([{ code: 'FRONT_MATTER_SYNTAX', file: '02-russian.md', line: 3 }]);
    expectUnchanged(outDir, before);
    expect(staging(outDir)).toEqual([]);
  });

  it('a build that fails half-way through its editions leaves the previous outputs byte-identical', async () => {
    // The PDF is written into the staging folder before the web layout fails.
    const broken = multilingualCopy();
    fs.mkdirSync(path.join(broken, 'templates', 'layouts'), { recursive: true });
    fs.writeFileSync(path.join(broken, 'templates', 'layouts', 'web.hbs'), '<html>{{#if book.title}}</html>\n');
    const error = await failure(broken, { formats, outDir });
    expect(summary(error.diagnostics)).toMatchObject([{ code: 'TEMPLATE_ERROR', file: 'web.hbs' }]);
    expectUnchanged(outDir, before);
    expect(staging(outDir)).toEqual([]);
  });

  it('a build killed with SIGKILL leaves the previous outputs intact; the next build cleans up', async () => {
    const copy = multilingualCopy();
    // Chromium's profile and the work folders of the killed build land here, and are removed with it.
    const tmp = temp('colophon-killed-tmp-');
    const child = spawn(process.execPath, ['bin/colophon.js', 'build', copy, '--out', outDir, '--format', formats.join(',')], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      // Its own process group, so that Chromium dies with it.
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      // Kill it once the staging folder exists and has something in it (or after a while regardless).
      const deadline = Date.now() + 90_000;
      let seenAt: number | undefined;
      for (;;) {
        const [dir] = staging(outDir);
        if (dir) {
          seenAt ??= Date.now();
          if (fs.readdirSync(path.join(outDir, dir)).length > 0 || Date.now() - seenAt > 20_000) break;
        }
        if (Date.now() > deadline) throw new Error('no .staging-* folder appeared within 90 s');
        if (child.exitCode !== null) throw new Error(`the build ended (status ${child.exitCode}) before it could be killed`);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    await waitForGroupToDie(child.pid!);

    expect(staging(outDir)).toHaveLength(1); // the leftover of the killed build
    expectUnchanged(path.join(outDir, 'multilingual'), subtree(before, 'multilingual'));

    await build({ input: copy, outDir, formats, cwd: ROOT });
    expect(staging(outDir)).toEqual([]);
    expect(fs.readdirSync(outDir).filter((n) => n.includes('.old-'))).toEqual([]);
    // Same input, same date: the rebuilt EPUB is identical to the first one.
    expect(fs.readFileSync(path.join(outDir, 'multilingual', 'multilingual.epub')).equals(before.get('multilingual/multilingual.epub')!)).toBe(true);
  });
});

function subtree(files: Map<string, Buffer>, dir: string): Map<string, Buffer> {
  const prefix = dir + path.sep;
  return new Map([...files].filter(([f]) => f.startsWith(prefix)).map(([f, b]) => [f.slice(prefix.length), b]));
}

async function waitForGroupToDie(pgid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(-pgid, 'SIGKILL');
}

/** A small book of two chapters in a temporary folder named `name`. */
function smallBook(name: string): string {
  const dir = path.join(temp(), name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'book.yaml'), `title: ${name}\nauthors: [A. Tester]\nlanguage: en\ndate: 2026-01-01\nlayout: book\n`);
  fs.writeFileSync(path.join(dir, '01-one.md'), '# One\n\nThe first chapter has one paragraph.\n');
  fs.writeFileSync(path.join(dir, '02-two.md'), '# Two\n\nThe second chapter has one paragraph too.\n');
  return dir;
}

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (s) => void (stdout += s), err: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

describe('faults in the machine: a clear message, nothing lost', () => {
  it('a layout that runs out of time names the publication, the part and the edition, and writes nothing', async () => {
    const dir = smallBook('slow-book');
    const outDir = temp();
    const error = await build({ input: dir, outDir, formats: ['pdf'], cwd: ROOT, paginationTimeoutMs: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PaginationError);
    const message = (error as Error).message;
    // "Laying out the front matter of …/slow-book/book.yaml (screen PDF)", or a chapter: "chapter 2 (…/02-two.md, screen PDF)".
    expect(message).toMatch(/took longer than/);
    expect(message).toMatch(/slow-book\/(book\.yaml|0[12]-\w+\.md)/);
    expect(message).toMatch(/screen PDF/);
    expect(fs.readdirSync(outDir).filter((n) => !n.startsWith('.colophon-cache'))).toEqual([]);
  });

  it('the CLI gives the time limit in words and a hint about --timeout', async () => {
    const r = await cli('build', smallBook('slow-cli'), '--out', temp(), '--format', 'pdf', '--timeout', '0.001', '--quiet');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/took longer than 1 ms\. \[PAGINATION_FAILED\]/);
    expect(r.stderr).toMatch(/hint: .*--timeout/);
  });

  describe('Chromium missing', () => {
    const saved = process.env.COLOPHON_CHROMIUM;
    afterAll(() => {
      if (saved === undefined) delete process.env.COLOPHON_CHROMIUM;
      else process.env.COLOPHON_CHROMIUM = saved;
    });

    it('COLOPHON_CHROMIUM at a path that does not exist is an error of its own, not a silent fallback', async () => {
      const missing = path.join(temp(), 'no-such-chromium');
      process.env.COLOPHON_CHROMIUM = missing;
      const error = await launchBrowser().then(
        async (s) => {
          await s.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as EnvironmentError).message).toBe(`COLOPHON_CHROMIUM points at ${missing}, which does not exist.`);
      expect((error as EnvironmentError).hint).toMatch(/apt-get install chromium/);
    });

    it('a chromiumPath that is not a program fails the build with the install hint and exit 1', async () => {
      delete process.env.COLOPHON_CHROMIUM;
      const notProgram = path.join(temp(), 'chromium.txt');
      fs.writeFileSync(notProgram, 'not a program');
      const outDir = temp();
      const error = await build({ input: smallBook('no-chromium'), outDir, formats: ['pdf'], cwd: ROOT, chromiumPath: notProgram }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as Error).message).toMatch(/points at .*chromium\.txt, which is not an executable file/);
      expect(fs.readdirSync(outDir).filter((n) => !n.startsWith('.colophon-cache'))).toEqual([]);

      process.env.COLOPHON_CHROMIUM = path.join(temp(), 'gone', 'chromium');
      const r = await cli('build', smallBook('no-chromium-cli'), '--out', temp(), '--format', 'pdf', '--quiet');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: COLOPHON_CHROMIUM points at .*gone\/chromium, which does not exist\. \[ENVIRONMENT\]/);
      expect(r.stderr).toMatch(/hint: Install Chromium/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  });

  describe('a crashed renderer', () => {
    let session: BrowserSession;
    let dir: string;
    let htmlFile: string;
    beforeAll(async () => {
      session = await launchBrowser();
      dir = temp();
      htmlFile = path.join(dir, 'book.html');
      fs.writeFileSync(htmlFile, '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Crash</title></head><body><p>A page that survives a crash.</p></body></html>');
    });
    afterAll(async () => {
      await session?.close();
    });

    /** Makes the first `times` pages the session opens crash as soon as they have loaded. */
    function crashPages(times: number): () => number {
      const newPage = session.browser.newPage.bind(session.browser);
      let opened = 0;
      session.browser.newPage = async (...args: Parameters<typeof newPage>) => {
        const page: Page = await newPage(...args);
        if (opened++ < times) {
          page.once('load', () => {
            void page
              .createCDPSession()
              .then((cdp) => cdp.send('Page.crash'))
              .catch(() => undefined);
          });
        }
        return page;
      };
      return () => opened;
    }

    afterEach(() => {
      // Undo crashPages: the prototype's method shows through again.
      delete (session.browser as Partial<typeof session.browser>).newPage;
    });

    it('is tried once more, and the second try succeeds', async () => {
      const opened = crashPages(1);
      const result = await paginate(session, { htmlFile, allowedRoots: [dir], timeoutMs: 30_000, label: 'crash.md (screen PDF)' });
      expect(result.map.pageCount).toBe(1);
      expect(opened()).toBe(2);
    });

    it('crashing twice is a clear PaginationError naming the document', async () => {
      crashPages(2);
      const error = await paginate(session, { htmlFile, allowedRoots: [dir], timeoutMs: 30_000, label: 'crash.md (screen PDF)' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as PaginationError).message).toBe('Chromium crashed twice while laying out crash.md (screen PDF).');
      expect((error as { hint?: string }).hint).toMatch(/memory/);
    });
  });
});

/**
 * Problems that need a change outside load/ and parse/ (see the notes in the
 * report): these fail until the lead applies the fix.
 */
describe('problems reported where they are', () => {
  it('a missing partial names the template that uses it, with its line', async () => {
    const error = await failure(path.join(BAD, 'missing-partial'));
    expect(summary(error.diagnostics)).toEqual([{ code: 'TEMPLATE_ERROR', file: 'chapter.hbs', line: 3 }]);
    expect(error.diagnostics[0].message).toMatch(/chapter-ornament/);
  });

  it('a template syntax error gives its line', async () => {
    const error = await failure(path.join(BAD, 'template-syntax'), { formats: ['pdf'] });
    expect(summary(error.diagnostics)).toEqual([{ code: 'TEMPLATE_ERROR', file: 'print.hbs', line: 3 }]);
  });

  it('a missing image in one chapter and bad front matter in another are reported together', async () => {
    const error = await failure(path.join(BAD, 'image-and-front-matter'));
    expect(summary(error.diagnostics)).toEqual([
      { code: 'FRONT_MATTER_INVALID', file: '02-two.md', line: 3 },
      { code: 'IMAGE_MISSING', file: '01-one.md', line: 5 },
    ]);
  });
});
