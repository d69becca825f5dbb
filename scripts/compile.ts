/**
 * `npm run compile` (part of setup): the TypeScript sources as plain
 * JavaScript modules in lib/, so the `colophon` command starts without tsx's
 * loader, which costs about half a second a run (it transforms and resolves
 * every module through a worker). bin/colophon.js uses lib/ only while it is
 * newer than every source file, and the sources through tsx otherwise, so an
 * edited checkout never runs stale code.
 *
 * Packages stay outside the bundle (node_modules is there at run time; some
 * load WebAssembly or data files beside them); our own modules are bundled,
 * split so that what a build loads lazily (pagination, pdf-lib, sharp) is
 * still loaded only when needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toolRoot } from './util/package-dir.ts';

/** The programs a user or the benchmark runs, by their source path. */
export const ENTRY_POINTS = ['scripts/cli.ts', 'scripts/build.ts', 'scripts/bench/run-build.ts', 'scripts/bench/run-dev-edit.ts'];

export async function compile(outDir = path.join(toolRoot(), 'lib')): Promise<string> {
  const { build } = await import('esbuild');
  const root = toolRoot();
  // Written beside and swapped in, so a command started meanwhile never sees half a lib/.
  const staging = `${outDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outbase: 'scripts',
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    // Stack traces (with --debug) point at the TypeScript sources.
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const old = `${outDir}.old-${process.pid}`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
  fs.renameSync(staging, outDir);
  fs.rmSync(old, { recursive: true, force: true });
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const out = await compile(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`Compiled ${ENTRY_POINTS.length} programs into ${path.relative(process.cwd(), out) || '.'}`);
}
