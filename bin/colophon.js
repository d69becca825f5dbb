#!/usr/bin/env node
// Runs the compiled CLI (lib/, made by `npm run compile` during setup) while
// it is newer than every TypeScript source, and the sources through tsx's
// loader otherwise: the tool works without a build step, and starts about
// half a second sooner with one.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freshCompiled } from './compiled.js';

const args = process.argv.slice(2);
const compiled = process.env.COLOPHON_FROM_SOURCE === '1' ? undefined : freshCompiled(path.resolve(import.meta.dirname, '..'), 'cli.js');
let main;
let tuneForShortRun;
if (compiled) {
  // --debug prints stack traces: let them name the TypeScript sources.
  if (args.includes('--debug')) process.setSourceMapsEnabled(true);
  ({ main, tuneForShortRun } = await import(pathToFileURL(compiled).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main, tuneForShortRun } = await import('../scripts/cli.ts'));
}
tuneForShortRun();
process.exitCode = await main(args);
// Done once what it printed is written: a timer a library left behind (puppeteer
// waits 30 s for a page that a browser closed by a failed build never opens)
// must not keep the shell waiting.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit();
