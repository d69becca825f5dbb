/**
 * `npm run compile` (part of setup): the TypeScript sources as plain
 * JavaScript modules in lib/, so the `colophon` command starts without tsx's
 * loader, which costs about half a second a run (it transforms and resolves
 * every module through a worker). bin/colophon.js uses lib/ only while it is
 * newer than every source file, and the sources through tsx otherwise, so an
 * edited checkout never runs stale code.
 *
 * Our modules and the plain JavaScript packages they use are bundled, split
 * so that what a build loads lazily (pagination, the EPUB, pdf-lib, sharp) is
 * still loaded only when needed. Node resolves and loads the several hundred
 * files of the unified, micromark and zod packages one by one, which took
 * longer than running them: bundled, a build that makes every edition loads its
 * modules in about 0.55 s instead of 0.95 s (warm disk, 2 cores).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';
import { toolRoot } from './util/package-dir.ts';

/** The programs a user or the benchmark runs, by their source path. */
export const ENTRY_POINTS = [
  'scripts/cli.ts',
  'scripts/build.ts',
  'scripts/bench/run-build.ts',
  'scripts/bench/run-dev-edit.ts',
  // Started as a worker thread by pdf-assembler.ts.
  'scripts/paginate/pdf-assembler-worker.ts',
  // Started as a worker thread by parse-threads.ts.
  'scripts/parse/parse-worker.ts',
];

/**
 * Packages loaded from node_modules as they are: native code or WebAssembly
 * beside them (sharp, esbuild, subset-font's HarfBuzz), files chosen at run
 * time (hyphen's patterns by language), or no faster bundled (puppeteer-core,
 * fontkit). pdf-lib is bundled: its three hundred CommonJS files took a
 * quarter of a second to load in a rebuild after an edit.
 */
const EXTERNAL = ['sharp', 'esbuild', 'subset-font', 'hyphen', 'fontkit', 'puppeteer-core'];

/**
 * Packages the bundle replaces. epub-gen-memory loads node-fetch (and the URL
 * parser it brings, a fifth of the EPUB modules' load time) to fetch the
 * remote images a chapter names; Colophon hands it none, and builds offline.
 */
const ALIASES = { 'node-fetch': './scripts/package/offline-fetch.ts' };

/**
 * unist-util-visit-parents names the function it makes for every node it
 * visits (Object.defineProperty(visit, 'name', …)), so that a stack trace
 * while debugging a plugin shows the node. Every pass over a tree (the
 * parser's plugins, ours, the EPUB's) visits every node, and the naming
 * slowed them all: the novel's EPUB + web edition, cold, 3.06 -> 2.78 s
 * (medians of 8 alternating runs). The bundle leaves the naming out, nothing
 * else; the compile fails if the library's code no longer has it as expected.
 */
const VISIT_NAMING = /\n(\s*)if \(typeof value\.type === 'string'\) \{\n[^{}]*?Object\.defineProperty\(visit, 'name', \{[^{}]*\}\)\n\1\}\n/;

/** unist-util-visit-parents' code without the naming; throws if it no longer names its functions as expected. */
export function dropVisitNaming(code: string, file: string): string {
  if (!VISIT_NAMING.test(code)) throw new Error(`${file} no longer names its visit functions as compile.ts expects: look at VISIT_NAMING again.`);
  return code.replace(VISIT_NAMING, '\n');
}

const withoutVisitNames: Plugin = {
  name: 'unist-util-visit-parents without node names',
  setup(b) {
    b.onLoad({ filter: /[\\/]unist-util-visit-parents[\\/]lib[\\/]index\.js$/ }, async (args) => {
      try {
        return { contents: dropVisitNaming(await fs.promises.readFile(args.path, 'utf8'), args.path), loader: 'js' };
      } catch (error) {
        return { errors: [{ text: (error as Error).message }] };
      }
    });
  },
};

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
    external: EXTERNAL,
    alias: ALIASES,
    plugins: [withoutVisitNames],
    // The bundled CommonJS packages require Node's own modules (and the external ones) through this.
    banner: { js: "import { createRequire as __colophonRequire } from 'node:module'; const require = __colophonRequire(import.meta.url);" },
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
