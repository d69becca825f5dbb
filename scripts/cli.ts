/**
 * The command line: parses arguments, calls the same functions the API
 * exports, prints results and decides the exit status in one place:
 * 0 success, 1 a problem in the content or configuration, 2 bad usage,
 * anything else a bug.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { build } from './build.ts';
import { FORMATS, type Format, type Logger } from './context.ts';
import { ContentError, EnvironmentError, UsageError, formatDiagnostic } from './diagnostics.ts';

export const EXIT = { ok: 0, content: 1, usage: 2, bug: 70 } as const;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function parseFormats(value: string): Format[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length || !list.length) {
    throw new UsageError(`Unknown format "${bad.join(', ') || value}". Choose from: ${FORMATS.join(', ')}.`);
  }
  return [...new Set(list)] as Format[];
}

function consoleLogger(io: Io, quiet: boolean): Logger {
  return {
    step: (m) => (quiet ? undefined : io.err(`• ${m}\n`)),
    info: (m) => (quiet ? undefined : io.err(`${m}\n`)),
    warn: (d) => io.err(formatDiagnostic(d) + '\n'),
  };
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exit: number = EXIT.ok;
  const program = new Command('colophon')
    .description('One Markdown source, every edition: screen PDF, print PDF, EPUB 3 and a web edition.')
    .version(version(), '-v, --version')
    .option('--debug', 'show stack traces for errors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('build')
    .description('build publications into the output folder')
    .argument('[dir]', 'a publication folder (with book.yaml) or a folder of publications', 'content')
    .option('-o, --out <dir>', 'output folder', 'dist')
    .addOption(new Option('-f, --format <list>', `editions to build, comma-separated (${FORMATS.join(',')})`).default(FORMATS.join(',')))
    .option('-q, --quiet', 'print only warnings and errors')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--timeout <seconds>', 'time limit for laying out one document', '300')
    .action(async (dir: string, opts: { out: string; format: string; quiet?: boolean; json?: boolean; timeout: string }) => {
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout takes a number of seconds, not "${opts.timeout}".`);
      const started = performance.now();
      const summary = await build({
        input: dir,
        outDir: opts.out,
        formats: parseFormats(opts.format),
        logger: consoleLogger(io, Boolean(opts.quiet || opts.json)),
        paginationTimeoutMs: timeout * 1000,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (opts.json) {
        io.out(JSON.stringify({ ...summary, seconds: Number(seconds) }, null, 2) + '\n');
        return;
      }
      for (const p of summary.publications) {
        io.out(`${p.title}\n`);
        for (const o of p.outputs) {
          const rel = path.relative(process.cwd(), path.join(p.dir, o.file));
          io.out(`  ${rel.padEnd(44)} ${(o.bytes / 1024).toFixed(0).padStart(7)} KB${o.pages ? `  ${o.pages} pages` : ''}\n`);
        }
      }
      if (summary.catalog) io.out(`Catalog: ${path.relative(process.cwd(), summary.catalog)}\n`);
      io.out(`Built ${summary.publications.length} publication(s) in ${seconds} s` +
        (summary.warnings.length ? ` with ${summary.warnings.length} warning(s)` : '') + '.\n');
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    exit = report(error, io, program.opts<{ debug?: boolean }>().debug ?? argv.includes('--debug'));
  }
  return exit;
}

function report(error: unknown, io: Io, debug: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ContentError) {
    const n = error.diagnostics.length;
    io.err(error.diagnostics.map(formatDiagnostic).join('\n') + '\n');
    io.err(`\n${n} problem${n === 1 ? '' : 's'} found; nothing was written.\n`);
    if (debug && error.cause) io.err(String((error.cause as Error).stack ?? error.cause) + '\n');
    return EXIT.content;
  }
  if (error instanceof EnvironmentError) {
    io.err(`error: ${error.message}\n  hint: ${error.hint}\n`);
    if (debug) io.err(String(error.stack) + '\n');
    return EXIT.content;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  io.err(`internal error: ${e.message}\n`);
  io.err(debug ? `${e.stack}\n` : 'Run again with --debug for details, and please report it.\n');
  return EXIT.bug;
}
