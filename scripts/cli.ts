/**
 * The command line: parses arguments, runs one command, and turns whatever
 * went wrong into a message and an exit status (decided in errors.ts).
 * Each command lives in scripts/commands/ and calls the same functions the
 * API exports; library code never prints or exits.
 */
import fs from 'node:fs';
import { Command } from 'commander';
import { EXIT } from './errors.ts';
import { toolFile } from './util/package-dir.ts';
import { processIo, type Io } from './commands/io.ts';
import { reportError } from './commands/report.ts';
import { registerBuild } from './commands/build.ts';
import { registerCheck } from './commands/check.ts';
import { registerDev } from './commands/dev.ts';
import { registerNew } from './commands/new.ts';
import { registerSchema } from './commands/schema.ts';

export { EXIT };
export { tuneForShortRun } from './util/short-run.ts';
export type { Io };

export function version(): string {
  const pkg = JSON.parse(fs.readFileSync(toolFile('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function createProgram(io: Io): Command {
  const program = new Command('colophon')
    .description('One Markdown source, every edition: screen PDF, print PDF, EPUB 3 and a web edition.')
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--debug', 'show stack traces for errors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError()
    .addHelpText('after', '\nExit status: 0 success, 1 a problem in the content, configuration or machine, 2 bad usage.\nRun `colophon COMMAND --help` for the options of a command.');
  // Subcommands inherit exitOverride and output settings only when added after them.
  registerBuild(program, io);
  registerCheck(program, io);
  registerDev(program, io);
  registerNew(program, io);
  registerSchema(program, io);
  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return reportError(error, io, {
      // Options may not have been parsed when the error happened; the raw argv is the fallback.
      debug: Boolean(program.opts<{ debug?: boolean }>().debug) || argv.includes('--debug'),
      json: argv.includes('--json'),
    });
  }
}
