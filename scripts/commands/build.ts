/** `colophon build`: every edition of every publication, and a summary. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { build, type BuildSummary } from '../build.ts';
import { FORMATS } from '../context.ts';
import type { Io } from './io.ts';
import { consoleLogger, parseFormats, parseSeconds } from './options.ts';
import { displayPath } from './display.ts';

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
    .option('-q, --quiet', 'print only warnings and errors')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--timeout <seconds>', 'time limit for laying out one document', '300')
    .action(async (dir: string, flags: BuildFlags) => {
      const formats = parseFormats(flags.format);
      const timeout = parseSeconds('--timeout', flags.timeout);
      const started = performance.now();
      const summary = await build({
        input: dir,
        outDir: flags.out,
        formats,
        logger: consoleLogger(io, Boolean(flags.quiet || flags.json)),
        paginationTimeoutMs: timeout * 1000,
      });
      const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      if (flags.json) io.out(JSON.stringify({ ok: true, ...summary, seconds }, null, 2) + '\n');
      else io.out(formatSummary(summary, seconds));
    });
}

export function formatSummary(summary: BuildSummary, seconds: number, cwd = process.cwd()): string {
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
  const warnings = summary.warnings.length;
  lines.push(`Built ${summary.publications.length} publication(s) in ${seconds.toFixed(1)} s${warnings ? ` with ${warnings} warning(s)` : ''}.`);
  return lines.join('\n') + '\n';
}
