/**
 * npm run bench: Colophon against stock pagedjs-cli on the same book.
 *
 * Builds ../shared/fixtures/novel and a book four times as long (its chapters
 * repeated) cold and warm, and lays out the single HTML document of our
 * reference path with stock pagedjs-cli. Each run is a child process; wall
 * time and the peak memory of its whole process tree (Chromium included,
 * sampled from /proc: summed RSS, and summed PSS) are printed with pages,
 * pages per second and ratios. The edit of one chapter is measured twice: a
 * new `colophon build`, and the rebuild in a running `colophon dev`.
 * pagedjs-cli lays out the novel as the one-document run wrote it (book.html,
 * the print HTML it kept), so the cold run is a build as a user runs it; the
 * 4× book's cold run keeps its own (a one-document run of it takes minutes).
 * The novel's cold builds, its pagedjs-cli run and the edit are run three
 * times (BENCH_RUNS), every run printed with the medians. A ratio of two of
 * these is the median of the ratios of runs made one right after the other
 * (a cold build and its pagedjs-cli run, a cold build and the edit after it):
 * on a shared machine the speed drifts over minutes, and a ratio of medians
 * of runs made minutes apart takes the drift in.
 * A benchmark prints figures; it asserts nothing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium } from '../browser.ts';
import { compile } from '../compile.ts';
import { descendants } from '../util/process-tree.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NOVEL = path.resolve(ROOT, '..', 'shared', 'fixtures', 'novel');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-bench-'));
/** Runs of each measure the targets are judged by (BENCH_RUNS; 3 unless told). */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 3);

interface Run {
  label: string;
  seconds: number;
  /** Peak of the summed resident memory (RSS) of the process tree. */
  peakMiB: number;
  /**
   * Peak of the summed proportional set size (PSS): a page shared by n
   * processes counts 1/n in each. RSS counts Chromium's shared pages once per
   * process, so it overstates a tree of many processes against one of few.
   */
  peakPssMiB: number;
  pages: number;
  /** Why the run did not finish (the figures are then those at the moment it failed). */
  failed?: string;
}

/** Resident memory (RSS and PSS) of a process and all its descendants, in bytes (Linux /proc). */
function treeRss(root: number): { rss: number; pss: number } {
  const total = { rss: 0, pss: 0 };
  for (const pid of [root, ...descendants(root)]) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total.rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
      total.pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

function measure(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run & { stdout: string }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let peak = 0;
    let peakPss = 0;
    const timer = setInterval(() => {
      const now = treeRss(child.pid!);
      peak = Math.max(peak, now.rss);
      peakPss = Math.max(peakPss, now.pss);
    }, 200);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - start) / 1000;
      if (code !== 0) {
        // A tool that gives up is a result too: say why, in one line.
        const why = /ProtocolError: [^\n]*|Error: [^\n]*/.exec(stderr)?.[0] ?? `exit status ${code}`;
        return resolve({ label, seconds, peakMiB: peak / 2 ** 20, peakPssMiB: peakPss / 2 ** 20, pages: 0, stdout, failed: why });
      }
      let pages = 0;
      try {
        pages = JSON.parse(stdout.trim().split('\n').pop()!).pages;
      } catch {
        // pagedjs-cli prints no JSON; pages are counted from its PDF
      }
      resolve({ label, seconds, peakMiB: peak / 2 ** 20, peakPssMiB: peakPss / 2 ** 20, pages, stdout });
    });
  });
}

// Builds run compiled, as `colophon` runs after setup (compiled again here, so never stale).
const RUN_BUILD = path.join(ROOT, 'lib', 'bench', 'run-build.js');
const colophon = (label: string, input: string, out: string, formats: string, cache: string, mode = 'parallel', keepHtml = false) =>
  measure(label, process.execPath, [RUN_BUILD, input, out, formats, cache, mode, ...(keepHtml ? ['keep-html'] : [])]);

/**
 * The edit loop of `colophon dev` (bench/run-dev-edit.ts): its own first
 * build of every edition, then one chapter edited. The time is that of the
 * rebuild, from the edit to the moment every edition is rebuilt; the memory,
 * that of the whole session.
 */
async function devEdit(label: string, input: string, out: string, chapter: string): Promise<Run> {
  const run = await measure(label, process.execPath, [path.join(ROOT, 'lib', 'bench', 'run-dev-edit.js'), input, out, chapter]);
  if (run.failed) return run;
  const { seconds, pages } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { seconds: number; pages: number };
  return { ...run, seconds, pages };
}

function pdfPages(file: string): number {
  const text = fs.readFileSync(file).toString('latin1');
  return (text.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
}

async function pagedjsCli(label: string, html: string): Promise<Run> {
  const tmp = fs.mkdtempSync(path.join(work, 'pagedjs-'));
  const pdf = path.join(tmp, 'out.pdf');
  const flags = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--allow-file-access-from-files', `--user-data-dir=${path.join(tmp, 'profile')}`];
  const run = await measure(label, path.join(ROOT, 'node_modules', '.bin', 'pagedjs-cli'),
    [html, '-o', pdf, `--browserArgs=${flags.join(',')}`], { PUPPETEER_EXECUTABLE_PATH: findChromium(), TMPDIR: tmp });
  if (run.failed) return run;
  // pagedjs-cli writes compressed object streams; count pages with pdf-lib.
  const { PDFDocument } = await import('pdf-lib');
  const pages = (await PDFDocument.load(fs.readFileSync(pdf), { updateMetadata: false })).getPageCount();
  return { ...run, pages: pages || pdfPages(pdf) };
}

/** The novel's chapters four times over, as one book. */
function quadruple(): string {
  const dir = path.join(work, 'novel4');
  fs.mkdirSync(dir, { recursive: true });
  const chapters = fs.readdirSync(NOVEL).filter((f) => f.endsWith('.md')).sort();
  const list: string[] = [];
  for (let round = 1; round <= 4; round++) {
    for (const ch of chapters) {
      const name = `r${round}-${ch}`;
      fs.copyFileSync(path.join(NOVEL, ch), path.join(dir, name));
      list.push(name);
    }
  }
  const yaml = fs.readFileSync(path.join(NOVEL, 'book.yaml'), 'utf8').replace(/^chapters:[\s\S]*$/m, '');
  fs.writeFileSync(path.join(dir, 'book.yaml'), `${yaml.trim()}\nslug: novel4\nchapters:\n${list.map((l) => `  - ${l}`).join('\n')}\n`);
  return dir;
}

function row(r: Run): string {
  const memory = `${r.peakMiB.toFixed(0).padStart(7)} MiB ${r.peakPssMiB.toFixed(0).padStart(6)} MiB PSS`;
  if (r.failed) return `${r.label.padEnd(50)} ${r.seconds.toFixed(1).padStart(7)} s ${memory}   FAILED: ${r.failed.slice(0, 120)}`;
  const pps = r.pages ? (r.pages / r.seconds).toFixed(1) : '-';
  return `${r.label.padEnd(50)} ${r.seconds.toFixed(1).padStart(7)} s ${memory} ${String(r.pages || '-').padStart(6)} pages ${pps.padStart(7)} pages/s`;
}

async function main(): Promise<void> {
  console.log(`Colophon benchmark — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  const runs: Run[] = [];
  const show = (r: Run) => {
    runs.push(r);
    console.log(row(r));
    return r;
  };
  const novel4 = quadruple();
  await compile();

  // Colophon first: the print HTML it keeps (book.html, the whole book as one
  // document) is what stock pagedjs-cli lays out.
  // Measures run RUNS times (each cold run with a cache of its own): on a
  // shared 2-core machine one run of the same build varies by a fifth.
  const sample = (label: string, k: number, r: Run): Run => {
    console.log(row({ ...r, label: `${label} [${k + 1}/${RUNS}]` }));
    return r;
  };
  /** The middle one of values already sorted (the lower of the two middle ones of an even count). */
  const middle = <T>(sorted: T[]): T => sorted[Math.floor((sorted.length - 1) / 2)];
  const medianOf = (label: string, samples: Run[]): Run => {
    // A failed run counts as the slowest.
    const sorted = [...samples].sort((a, b) => Number(Boolean(a.failed)) - Number(Boolean(b.failed)) || a.seconds - b.seconds);
    return show({ ...middle(sorted), label: `${label} (median)` });
  };
  const single = show(await colophon('colophon PDF, novel, one document', NOVEL, path.join(work, 'o2'), 'pdf', 'none', 'single', true));
  // Each cold build, then stock pagedjs-cli on the same book.
  const coldRuns: Run[] = [];
  const stockRuns: Run[] = [];
  for (let k = 0; k < RUNS; k++) {
    coldRuns.push(sample('colophon PDF, novel, cold', k, await colophon('', NOVEL, path.join(work, `o1-${k}`), 'pdf', path.join(work, `cache-${k}`))));
    stockRuns.push(sample('pagedjs-cli, novel', k, await pagedjsCli('', path.join(work, 'o2', '.html', 'novel', 'screen', 'book.html'))));
  }
  const cold = medianOf('colophon PDF, novel, cold', coldRuns);
  const stock = medianOf('pagedjs-cli, novel', stockRuns);
  const warmSame = show(await colophon('colophon PDF, novel, warm (nothing changed)', NOVEL, path.join(work, 'o1-0'), 'pdf', path.join(work, 'cache-0')));
  const joined = show(await colophon('colophon PDF, novel, cold, printed joined', NOVEL, path.join(work, 'o6'), 'pdf', 'none', 'joined'));

  const cold4 = show(await colophon('colophon PDF, 4× novel, cold', novel4, path.join(work, 'o3'), 'pdf', path.join(work, 'cache4'), 'parallel', true));
  const stock4 = show(await pagedjsCli('pagedjs-cli, 4× novel', path.join(work, 'o3', '.html', 'novel4', 'screen', 'book.html')));

  // All outputs, cold; then one chapter edited (a sentence added at its end), in a copy and a cache of each run's own.
  const allColdRuns: Run[] = [];
  const edited: Run[] = [];
  for (let k = 0; k < RUNS; k++) {
    const copy = path.join(work, `novel-edit-${k}`);
    fs.cpSync(NOVEL, copy, { recursive: true });
    const [out, cache] = [path.join(work, `o4-${k}`), path.join(work, `cache-all-${k}`)];
    allColdRuns.push(sample('colophon all outputs, novel, cold', k, await colophon('', copy, out, 'pdf,print,epub,web', cache)));
    fs.appendFileSync(path.join(copy, 'chapter-30.md'), '\nAn edited sentence at the end of the chapter.\n');
    edited.push(await colophon('', copy, out, 'pdf,print,epub,web', cache));
  }
  const allCold = medianOf('colophon all outputs, novel, cold', allColdRuns);
  for (const [k, r] of edited.entries()) sample('colophon all outputs, one chapter edited', k, r);
  const allWarm = medianOf('colophon all outputs, one chapter edited', edited);
  const devCopy = path.join(work, 'novel-dev');
  fs.cpSync(NOVEL, devCopy, { recursive: true });
  const devWarm = show(await devEdit('colophon dev, one chapter edited (all outputs)', devCopy, path.join(work, 'o7'), path.join(devCopy, 'chapter-30.md')));
  const epubWeb = show(await colophon('colophon EPUB + web, novel, cold', NOVEL, path.join(work, 'o5'), 'epub,web', 'none'));

  const ratio = (a: Run | number, b: Run | number) => {
    const failed = (r: Run | number): Run | undefined => (typeof r !== 'number' && r.failed ? r : undefined);
    const fb = failed(b);
    if (fb) return `n/a (${fb.label} failed after ${fb.seconds.toFixed(0)} s)`;
    const x = typeof a === 'number' ? a : a.seconds;
    const y = typeof b === 'number' ? b : b.seconds;
    // A slower run that gave up (pagedjs-cli's protocol timeout on a long book) still took at least that long.
    const fa = failed(a);
    if (fa) return `more than ${(x / y).toFixed(2)}× (${fa.label} gave up after ${x.toFixed(0)} s)`;
    return `${(x / y).toFixed(2)}×`;
  };
  // The median of the runs' own ratios, and those ratios; undefined when a run failed.
  const paired = (as: Run[], bs: Run[]): { median: number; each: number[] } | undefined => {
    if ([...as, ...bs].some((r) => r.failed)) return undefined;
    const each = as.map((a, k) => a.seconds / bs[k].seconds);
    return { median: middle([...each].sort((x, y) => x - y)), each };
  };
  const stockRatio = paired(stockRuns, coldRuns);
  const editRatio = paired(edited, allColdRuns);
  const listed = (p: { each: number[] }, format: (x: number) => string) => (p.each.length > 1 ? `  (runs: ${p.each.map(format).join(', ')})` : '');
  const times = (x: number) => `${x.toFixed(2)}×`;
  const percent = (x: number) => `${(100 * x).toFixed(0)} %`;
  console.log('\nRatios (targets from the speed issue in brackets)');
  console.log(`  pagedjs-cli ÷ colophon, novel, cold PDF:        ${stockRatio ? times(stockRatio.median) : ratio(stock, cold)}  [≥ 2]${stockRatio ? listed(stockRatio, times) : ''}`);
  console.log(`  pagedjs-cli ÷ colophon, 4× novel, cold PDF:     ${ratio(stock4, cold4)}  [≥ 3]`);
  console.log(`  colophon 4× ÷ colophon novel, cold PDF:         ${ratio(cold4, cold)}  [≤ 4.4]`);
  console.log(
    `  one chapter edited ÷ cold, all outputs:         ${percent(editRatio ? editRatio.median : allWarm.seconds / allCold.seconds)}  [≤ 15 %]  (a new colophon build)${editRatio ? listed(editRatio, percent) : ''}`,
  );
  console.log(`  the same in colophon dev (browser kept open):   ${devWarm.failed ? 'n/a' : (100 * devWarm.seconds / allCold.seconds).toFixed(0) + ' %'}`);
  console.log(`  EPUB + web, novel, cold:                        ${epubWeb.seconds.toFixed(1)} s  [< 3 s]`);
  console.log(`  peak memory, colophon 4× ÷ pagedjs-cli novel:   ${ratio(cold4.peakMiB, stock.peakMiB)}  [≤ 1]  (RSS summed over the processes)`);
  console.log(`  the same by PSS (shared pages shared out):      ${ratio(cold4.peakPssMiB, stock.peakPssMiB)}`);
  console.log(`  warm rebuild, nothing changed, PDF:             ${warmSame.seconds.toFixed(1)} s`);
  console.log(`  one document (reference path) ÷ parallel:      ${ratio(single, cold)}`);
  console.log(`  printed joined ÷ printed part by part:         ${ratio(joined, cold)}`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  fs.rmSync(work, { recursive: true, force: true });
  console.error(error);
  process.exitCode = 1;
});
