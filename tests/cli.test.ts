/**
 * The command line as users meet it: help, version, exit statuses, error
 * messages with code frames, and a scaffolded publication that builds at once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../scripts/cli.ts';
import { startDev } from '../scripts/commands/dev.ts';
import { reportError } from '../scripts/commands/report.ts';
import { PaginationError } from '../scripts/paginate/paginate.ts';
import { ROOT, tempDir } from './helpers/build.ts';
import { createProgress, formatTimings } from '../scripts/progress.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (s) => void (stdout += s), err: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A fresh scaffolded publication in a temporary folder. */
async function scaffolded(name = 'demo-book'): Promise<string> {
  const parent = tempDir();
  const r = await run('new', name, '--dir', parent);
  expect(r.code, r.stderr).toBe(0);
  return path.join(parent, name);
}

describe('help and version', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const command of ['build', 'check', 'dev', 'new']) expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('every command has --help', async () => {
    for (const command of ['build', 'check', 'dev', 'new', 'schema']) {
      const r = await run(command, '--help');
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toContain(`Usage: colophon ${command}`);
    }
  });

  it('--version prints the version from package.json', async () => {
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('--version works as a real process', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'colophon.js'), '--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });
});

describe('usage errors exit 2', () => {
  it('an unknown command', async () => {
    const r = await run('bulid');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'bulid'");
    expect(r.stderr).toContain('build');
  });

  it('an unknown option', async () => {
    const r = await run('build', '--frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it('a bad --format', async () => {
    const r = await run('build', 'content', '--format', 'pdf,docx');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown format "docx"');
  });

  it('a bad --layout for new', async () => {
    const r = await run('new', 'x', '--layout', 'poster', '--dir', tempDir());
    expect(r.code).toBe(2);
  });

  it('no command at all', async () => {
    expect((await run()).code).toBe(2);
  });
});

describe('content errors exit 1 with a location', () => {
  it('a YAML syntax error names file:line:column and shows a code frame with a caret', async () => {
    const dir = await scaffolded();
    const file = path.join(dir, 'book.yaml');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('subtitle:'));
    lines[at] = 'subtitle: [An unclosed list';
    fs.writeFileSync(file, lines.join('\n'));

    const r = await run('build', dir, '--out', tempDir(), '--format', 'web');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`book\\.yaml:${at + 1}:\\d+: error .*\\[BOOK_YAML_SYNTAX\\]`));
    expect(r.stderr).toContain(`> ${at + 1} | subtitle: [An unclosed list`);
    expect(r.stderr).toMatch(/^\s+\|\s+\^$/m);
    expect(r.stderr).not.toContain('internal error');
  });

  it('an unknown key in book.yaml gets a did-you-mean hint', async () => {
    const dir = await scaffolded();
    const file = path.join(dir, 'book.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^publisher:/m, 'publsher:'));

    const r = await run('build', dir, '--out', tempDir(), '--format', 'web');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/book\.yaml:\d+:1: error unknown key `publsher` \[BOOK_YAML_UNKNOWN_KEY\]/);
    expect(r.stderr).toContain('did you mean `publisher`?');
  });

  it('--debug adds a stack trace', async () => {
    const r = await run('build', path.join(tempDir(), 'missing'), '--out', tempDir(), '--debug');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('errors from later stages', () => {
  it('a PaginationError exits 1 with its message, not as an internal error', () => {
    let stderr = '';
    const code = reportError(new PaginationError('Paginating demo.pdf failed:\n  layout took too long'), { out: () => {}, err: (s) => void (stderr += s) }, { debug: false, json: false });
    expect(code).toBe(1);
    expect(stderr).toContain('Paginating demo.pdf failed');
    expect(stderr).toContain('[PAGINATION_FAILED]');
    expect(stderr).not.toContain('internal error');
  });

  it('anything unexpected is an internal error with its own exit status', () => {
    let stderr = '';
    const code = reportError(new TypeError('boom'), { out: () => {}, err: (s) => void (stderr += s) }, { debug: false, json: false });
    expect(code).toBe(70);
    expect(stderr).toContain('internal error: boom');
  });
});

describe('colophon new', () => {
  it('writes a commented book.yaml, two chapters and an image', async () => {
    const dir = await scaffolded('field-notes');
    const yaml = fs.readFileSync(path.join(dir, 'book.yaml'), 'utf8');
    expect(yaml).toMatch(/^# yaml-language-server: \$schema=\S+book\.schema\.json$/m);
    for (const key of ['title', 'subtitle', 'authors', 'language', 'publisher', 'date', 'description', 'rights', 'keywords', 'layout', 'chapters', 'page']) {
      expect(yaml, key).toMatch(new RegExp(`^${key}:`, 'm'));
    }
    expect(yaml).toContain('title: Field Notes');
    expect(yaml).toMatch(/affiliation:/);
    expect(yaml).toMatch(/^\s+bleed:/m);
    const png = fs.readFileSync(path.join(dir, 'images', 'figure.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    const chapter = fs.readFileSync(path.join(dir, '02-first-chapter.md'), 'utf8');
    expect(chapter).toMatch(/^---\n[\s\S]*?\n---\n/);
    expect(chapter).toContain('![');
    expect(chapter).toContain('|---');
    expect(chapter).toContain('[^');
  });

  it('refuses an existing folder', async () => {
    const dir = await scaffolded();
    const r = await run('new', path.basename(dir), '--dir', path.dirname(dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already exists');
    expect(r.stderr).toContain('[FOLDER_EXISTS]');
  });

  it('refuses a name that is not a slug', async () => {
    const r = await run('new', 'My Book', '--dir', tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('my-book');
  });

  it('builds at once, and --json lists the outputs', async () => {
    const dir = await scaffolded('round-trip');
    const out = tempDir();
    const r = await run('build', dir, '--out', out, '--format', 'epub,web', '--json');
    expect(r.code, r.stderr).toBe(0);
    // --json keeps stderr free of progress: only warnings would go there.
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout) as {
      ok: boolean;
      catalog: string;
      publications: { slug: string; outputs: { kind: string; file: string; path: string; bytes: number; pages: number | null }[] }[];
      warnings: unknown[];
      timings: Record<string, number>;
      seconds: number;
    };
    expect(summary.ok).toBe(true);
    expect(summary.catalog).toBe(path.join(out, 'index.html'));
    expect(summary.publications).toHaveLength(1);
    expect(summary.publications[0].outputs.map((o) => o.kind).sort()).toEqual(['epub', 'web']);
    for (const o of summary.publications[0].outputs) {
      expect(fs.statSync(o.path).size, o.file).toBe(o.bytes);
      expect(o.path).toBe(path.join(out, 'round-trip', o.file));
    }
    expect(summary.warnings).toEqual([]);
    for (const stage of ['load', 'parse', 'epub', 'web']) expect(summary.timings[stage], stage).toBeGreaterThanOrEqual(0);
    expect(summary.seconds).toBeGreaterThan(0);
  });

  it('prints no live progress when stderr is not a terminal, and the time per stage at the end', async () => {
    const dir = await scaffolded('plain-log');
    const r = await run('build', dir, '--out', tempDir(), '--format', 'web');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Time per stage:$/m);
    expect(r.stdout).toMatch(/^ {2}write the web edition +\d+\.\d s$/m);
    expect(r.stdout).toMatch(/^Built 1 publication\(s\) in \d+\.\d s\.$/m);
  });
});

describe('colophon schema', () => {
  it('writes both schemas, and the committed copies are current', async () => {
    const out = tempDir();
    const r = await run('schema', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    for (const file of ['book.schema.json', 'front-matter.schema.json']) {
      const written = fs.readFileSync(path.join(out, file), 'utf8');
      expect(JSON.parse(written)).toHaveProperty('properties');
      expect(fs.readFileSync(path.join(ROOT, 'schema', file), 'utf8'), `schema/${file} is stale: run \`colophon schema\``).toBe(written);
    }
  });
});

describe('colophon dev', () => {
  it('serves the web edition and rebuilds and reloads when a chapter changes', async () => {
    const dir = await scaffolded('live-book');
    const out = tempDir();
    const io = { out: () => {}, err: () => {} };
    const session = await startDev({ input: dir, outDir: out, port: 0, io, debounceMs: 50, webOnly: true });
    const controller = new AbortController();
    try {
      const page = () => fetch(new URL('live-book/', session.url)).then((r) => r.text());
      const before = await page();
      expect(before).toContain('A First Chapter');
      expect(before).toContain('/__colophon/events');

      const events = await fetch(new URL('/__colophon/events', session.url), { signal: controller.signal });
      const reader = events.body!.getReader();
      const rebuilt = session.nextBuild();
      const chapter = path.join(dir, '02-first-chapter.md');
      fs.writeFileSync(chapter, fs.readFileSync(chapter, 'utf8').replace('title: A First Chapter', 'title: A Changed Chapter'));
      expect(await rebuilt).toBe(true);

      let received = '';
      while (!received.includes('event: reload')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += new TextDecoder().decode(value);
      }
      expect(received).toContain('event: reload');
      const after = await page();
      expect(after).toContain('A Changed Chapter');
      expect(after).not.toContain('A First Chapter');
    } finally {
      controller.abort();
      await session.close();
    }
  });
});

describe('colophon dev, when a build fails', () => {
  it('shows the problem over the page, and takes it away after the next good build', async () => {
    const dir = await scaffolded('broken-book');
    const out = tempDir();
    let terminal = '';
    const io = { out: () => {}, err: (s: string) => void (terminal += s) };
    const session = await startDev({ input: dir, outDir: out, port: 0, io, debounceMs: 50, webOnly: true });
    const controller = new AbortController();
    try {
      const page = () => fetch(new URL('broken-book/', session.url)).then((r) => r.text());
      const events = await fetch(new URL('/__colophon/events', session.url), { signal: controller.signal });
      const reader = events.body!.getReader();
      const book = path.join(dir, 'book.yaml');
      const good = fs.readFileSync(book, 'utf8');
      let failed = session.nextBuild();
      fs.writeFileSync(book, good.replace(/^title: .*$/m, 'title: [unclosed'));
      expect(await failed).toBe(false);

      let received = '';
      while (!received.includes('event: build-error')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += new TextDecoder().decode(value);
      }
      expect(received).toContain('book.yaml');
      expect(terminal).toContain('book.yaml:');
      // A page loaded now shows the problem too, script or not; the last good edition stays underneath.
      const during = await page();
      expect(during).toContain('id="colophon-error-overlay"');
      expect(during).toMatch(/book\.yaml:\d+:\d+/);

      failed = session.nextBuild();
      fs.writeFileSync(book, good);
      expect(await failed).toBe(true);
      expect(await page()).not.toContain('id="colophon-error-overlay"');
    } finally {
      controller.abort();
      await session.close();
    }
  });
});

describe('build progress on a terminal', () => {
  /** A stand-in terminal that records what is written, and a clock the test moves. */
  function terminal() {
    let written = '';
    const stream = { isTTY: true, columns: 100, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    return { stream, text: () => stripVTControlCharacters(written).split('\r').join('\n') };
  }

  it('shows publication, stage, chapter i of n and pages, and a line with the time of each finished stage', () => {
    const t = terminal();
    let clock = 0;
    const warnings: string[] = [];
    const progress = createProgress({ stream: t.stream, write: (s) => warnings.push(s), renderDiagnostic: (d) => `warning: ${d.message}`, now: () => clock });
    progress.step('guide: building pdf, web');
    clock = 500;
    progress.step('guide: paginating the screen PDF');
    progress.progress!({ publication: 'guide', stage: 'paginate-screen', message: 'paginating the screen PDF', pages: 12 });
    progress.step('guide: screen PDF, part 2 of 7 laid out: ch-02');
    clock = 2500;
    progress.warn({ severity: 'warning', code: 'GLYPH_MISSING', message: 'no font draws ẞ' });
    progress.progress!({ publication: 'guide', stage: 'web', message: 'writing the web edition', current: 3, total: 6 });
    clock = 2700;
    progress.done(true);
    const text = t.text();
    expect(text).toContain('guide: building pdf, web');
    expect(text).toContain('✔ guide: preparing the theme and fonts — 0.5 s');
    expect(text).toContain('guide: paginating the screen PDF · 12 pages');
    expect(text).toContain('screen PDF, part 2 of 7 laid out: ch-02');
    expect(text).toContain('warning: no font draws ẞ');
    expect(text).toContain('✔ guide: paginating the screen PDF (12 pages) — 2.0 s');
    expect(text).toContain('guide: writing the web edition · chapter 3 of 6');
    expect(text).toContain('✔ guide: writing the web edition — 0.2 s');
    // The warning went above the live line, not to the plain writer.
    expect(warnings).toEqual([]);
  });

  it('shows the two PDF editions side by side, each ending with its own line', () => {
    const t = terminal();
    let clock = 0;
    const progress = createProgress({ stream: t.stream, write: () => {}, renderDiagnostic: () => '', now: () => clock });
    progress.step('guide: building pdf, print');
    for (const edition of ['screen', 'print']) {
      progress.progress!({ publication: 'guide', stage: `paginate-${edition}`, message: `paginating the ${edition} PDF`, alongside: true });
    }
    clock = 1000;
    progress.progress!({ publication: 'guide', stage: 'paginate-print', message: 'paginating the print PDF', current: 2, total: 5, unit: 'part', alongside: true });
    // Both are drawn in one frame, the print edition with the part it has reached.
    expect(t.text()).toMatch(/paginating the screen PDF · 1\.0 s\n\S+ guide: paginating the print PDF · part 2 of 5 · 1\.0 s/);
    expect(t.text()).toContain('✔ guide: preparing the theme and fonts — 0.0 s');
    clock = 3000;
    progress.progress!({ publication: 'guide', stage: 'paginate-print', message: 'paginating the print PDF', pages: 32, alongside: true, done: true });
    expect(t.text()).toContain('✔ guide: paginating the print PDF (32 pages) — 3.0 s');
    expect(t.text()).not.toContain('✔ guide: paginating the screen PDF');
    clock = 4000;
    progress.progress!({ publication: 'guide', stage: 'paginate-screen', message: 'paginating the screen PDF', pages: 33, alongside: true, done: true });
    progress.done(true);
    expect(t.text()).toContain('✔ guide: paginating the screen PDF (33 pages) — 4.0 s');
  });

  it('marks the stage that failed', () => {
    const t = terminal();
    const progress = createProgress({ stream: t.stream, write: () => {}, renderDiagnostic: () => '', now: () => 0 });
    progress.step('guide: packaging the EPUB');
    progress.done(false);
    expect(t.text()).toContain('✖ guide: packaging the EPUB');
  });

  it('without a terminal, prints warnings only', () => {
    const lines: string[] = [];
    const progress = createProgress({ write: (s) => lines.push(s), renderDiagnostic: (d) => `warning: ${d.message}` });
    progress.step('guide: paginating the screen PDF');
    progress.info('note');
    progress.warn({ severity: 'warning', code: 'X', message: 'careful' });
    progress.done(true);
    expect(lines).toEqual(['warning: careful\n']);
  });

  it('lists the time per stage, longest first, with the rest as other', () => {
    const text = formatTimings({ load: 100, 'paginate-screen': 3000, web: 200 }, 4);
    expect(text.split('\n').filter(Boolean)).toEqual([
      'Time per stage:',
      expect.stringMatching(/^ {2}lay out the screen PDF +3\.0 s$/),
      expect.stringMatching(/^ {2}write the web edition +0\.2 s$/),
      expect.stringMatching(/^ {2}read book\.yaml and chapters +0\.1 s$/),
      expect.stringMatching(/^ {2}other .* +0\.7 s$/),
    ]);
  });

  it('a second Ctrl+C stops at once: the PDF build in progress is cut short, silently, and its browser closed', { timeout: 120_000 }, async () => {
    const dir = await scaffolded('stop-book');
    let said = '';
    const io = { out: () => {}, err: (s: string) => void (said += s) };
    const session = await startDev({ input: dir, outDir: tempDir(), port: 0, io, debounceMs: 50 });
    // The web edition is built; every edition is now being built in the background.
    const editions = session.nextEditions();
    await session.close({ now: true });
    expect(await editions).toBe(false);
    expect(said).toContain('Rebuilt the web edition');
    expect(said).not.toContain('Rebuilt the PDFs');
    expect(said).not.toMatch(/error/i);
  });
});
