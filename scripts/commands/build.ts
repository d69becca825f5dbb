/** `colophon build`: every edition of every publication, and a summary. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { BuildSummary } from '../build.ts';
import { FORMATS } from '../context.ts';
import type { Io } from './io.ts';
import { parseFormats, parseSeconds } from './options.ts';
import { displayPath } from './display.ts';
import { renderDiagnostic } from './report.ts';
import { createProgress, formatTimings, isInteractive } from '../progress.ts';

interface BuildFlags {
  out: string;
  format: string;
  quiet?: boolean;
  json?: boolean;
  timeout: string;
}

export function registerBuild(program: Command, io: Io): void {
  program
    .command('build')
    .description('build publications into the output folder')
    .argument('[dir]', 'a publication folder (with book.yaml) or a folder of publications', 'content')
    .option('-o, --out <dir>', 'output folder', 'dist')
    .addOption(new Option('-f, --format <list>', `editions to build, comma-separated (${FORMATS.join(',')})`).default(FORMATS.join(',')))
    .option('-q, --quiet', 'no progress or timings: only the files written, warnings and errors')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--timeout <seconds>', 'time limit for laying out one document', '300')
    .action(async (dir: string, flags: BuildFlags) => {
      const formats = parseFormats(flags.format);
      const timeout = parseSeconds('--timeout', flags.timeout);
      const started = performance.now();
      // Live progress only on a terminal, and never around --json or --quiet.
      const live = !flags.quiet && !flags.json && isInteractive(io.progressStream);
      const progress = createProgress({
        stream: live ? io.progressStream : undefined,
        write: io.err,
        renderDiagnostic,
      });
      let summary: BuildSummary;
      try {
        // Loaded when needed: the pipeline's libraries take a second or two to import, which --help need not wait for.
        const { build } = await import('../build.ts');
        summary = await build({ input: dir, outDir: flags.out, formats, logger: progress, paginationTimeoutMs: timeout * 1000 });
        progress.done(true);
      } catch (error) {
        progress.done(false);
        throw error;
      }
      const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      if (flags.json) io.out(JSON.stringify(jsonSummary(summary, seconds), null, 2) + '\n');
      else io.out(formatSummary(summary, seconds, { timings: !flags.quiet }));
    });
}

export function formatSummary(summary: BuildSummary, seconds: number, options: { timings?: boolean; cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const show = (p: string) => displayPath(p, cwd);
  const rows: string[][] = [];
  const lines: string[] = [];
  for (const p of summary.publications) {
    for (const o of p.outputs) {
      rows.push([show(path.join(p.dir, o.file)), `${Math.max(1, Math.round(o.bytes / 1024))} KB`, o.pages ? `${o.pages} pages` : '']);
    }
  }
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  const sizeWidth = Math.max(0, ...rows.map((r) => r[1].length));
  let row = 0;
  for (const p of summary.publications) {
    lines.push(p.title);
    for (let i = 0; i < p.outputs.length; i++, row++) {
      const [file, size, pages] = rows[row];
      lines.push(`  ${file.padEnd(width)}  ${size.padStart(sizeWidth)}  ${pages}`.trimEnd());
    }
  }
  if (summary.catalog) lines.push(`Catalog: ${show(summary.catalog)}`);
  const timings = options.timings ? formatTimings(summary.timings, seconds).trimEnd() : '';
  if (timings) lines.push(timings);
  const warnings = summary.warnings.length;
  lines.push(`Built ${summary.publications.length} publication(s) in ${seconds.toFixed(1)} s${warnings ? ` with ${warnings} warning(s)` : ''}.`);
  return lines.join('\n') + '\n';
}

/** The --json document: what was written where, how big, how many pages, what went wrong, how long it took. */
export function jsonSummary(summary: BuildSummary, seconds: number) {
  return {
    ok: true,
    outDir: summary.outDir,
    catalog: summary.catalog ?? null,
    publications: summary.publications.map((p) => ({
      slug: p.slug,
      title: p.title,
      dir: p.dir,
      outputs: p.outputs.map((o) => ({ kind: o.kind, file: o.file, path: path.join(p.dir, o.file), bytes: o.bytes, pages: o.pages ?? null })),
    })),
    warnings: summary.warnings,
    timings: summary.timings,
    seconds,
  };
}
