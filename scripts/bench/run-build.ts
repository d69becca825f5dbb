/**
 * One build in its own process, so the benchmark can measure it (and the
 * Chromium it starts) from outside: node lib/bench/run-build.js INPUT OUT FORMATS CACHE|none [parallel|joined|single] [keep-html]
 * (compiled by the benchmark; `node --import tsx scripts/bench/run-build.ts …` runs the sources)
 */
import { build } from '../build.ts';
import type { Format } from '../context.ts';
import { tuneForShortRun } from '../util/short-run.ts';

// As the colophon command does (bin/colophon.js).
tuneForShortRun();

const [input, outDir, formats, cache, mode, keep] = process.argv.slice(2);
const summary = await build({
  input,
  outDir,
  formats: formats.split(',') as Format[],
  cacheDir: cache === 'none' ? false : cache,
  singleDocument: mode === 'single',
  // 'joined': the laid-out parts printed joined in chunks instead of part by part.
  printing: mode === 'joined' ? 'joined' : 'parts',
  // With keep-html, the print HTML is kept: stock pagedjs-cli lays out the same book.html.
  htmlDir: keep === 'keep-html' ? `${outDir}/.html` : undefined,
  // The one-document reference path of a long book can take many minutes.
  paginationTimeoutMs: 3_600_000,
});
const pages = summary.publications.flatMap((p) => p.outputs).find((o) => o.kind === 'pdf')?.pages ?? 0;
process.stdout.write(JSON.stringify({ pages, timings: summary.timings }) + '\n');
