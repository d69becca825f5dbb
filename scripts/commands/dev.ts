/**
 * `colophon dev`: builds the web edition, serves it on localhost, and on every
 * change in the content folder rebuilds and reloads the open pages. A build
 * that fails prints its problems and keeps the last good pages on screen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Command } from 'commander';
import type { Io } from './io.ts';
import { consoleLogger } from './options.ts';
import { reportError } from './report.ts';
import { startPreviewServer } from './dev-server.ts';
import { displayPath } from './display.ts';
import { UsageError } from '../diagnostics.ts';

export interface DevOptions {
  input: string;
  outDir: string;
  port: number;
  io: Io;
  /** Quiet period after the last change before rebuilding, in ms. */
  debounceMs?: number;
}

export interface DevSession {
  url: string;
  /** Resolves after the build that follows the next change (or the first build). */
  nextBuild(): Promise<boolean>;
  close(): Promise<void>;
}

export async function startDev(options: DevOptions): Promise<DevSession> {
  const { io } = options;
  const input = path.resolve(options.input);
  const outDir = path.resolve(options.outDir);
  if (!fs.existsSync(input)) throw new UsageError(`${options.input} does not exist.`);
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startPreviewServer(outDir, options.port);

  let waiters: ((ok: boolean) => void)[] = [];
  let running: Promise<void> | undefined;
  let again = false;
  const rebuild = async (): Promise<void> => {
    // One build at a time; changes during a build cause exactly one more.
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        let ok = true;
        try {
          const { build } = await import('../build.ts');
          await build({ input, outDir, formats: ['web'], logger: consoleLogger(io, true) });
          io.err(`Rebuilt at ${new Date().toLocaleTimeString()}.\n`);
          server.reload();
        } catch (error) {
          ok = false;
          // The same report in the terminal and over the open pages.
          let report = '';
          reportError(error, { out: () => {}, err: (s) => void (report += s) }, { debug: false, json: false });
          io.err(report);
          server.showError(stripVTControlCharacters(report).trim());
        }
        const done = waiters;
        waiters = [];
        for (const w of done) w(ok);
      } while (again);
    })().finally(() => (running = undefined));
    return running;
  };

  let timer: NodeJS.Timeout | undefined;
  const watcher = fs.watch(input, { recursive: true }, (_event, name) => {
    // Building into a folder inside the watched one must not trigger itself.
    if (name && path.resolve(input, name.toString()).startsWith(outDir + path.sep)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), options.debounceMs ?? 150);
  });

  const first = new Promise<boolean>((resolve) => waiters.push(resolve));
  void rebuild();
  await first;
  return {
    url: server.url,
    nextBuild: () => new Promise((resolve) => waiters.push(resolve)),
    async close() {
      clearTimeout(timer);
      watcher.close();
      await running;
      await server.close();
    },
  };
}

export function registerDev(program: Command, io: Io): void {
  program
    .command('dev')
    .description('preview the web edition on localhost, rebuilding and reloading on every change')
    .argument('[dir]', 'a publication folder or a folder of publications', 'content')
    .option('-o, --out <dir>', 'output folder', 'dist')
    .option('-p, --port <port>', 'port on localhost (0 picks a free one)', '4173')
    .action(async (dir: string, flags: { out: string; port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, not "${flags.port}".`);
      const session = await startDev({ input: dir, outDir: flags.out, port, io });
      io.out(`Serving ${displayPath(path.resolve(flags.out))} at ${session.url} — watching ${displayPath(path.resolve(dir))}. Press Ctrl+C to stop.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await session.close();
    });
}
