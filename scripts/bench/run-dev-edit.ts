/**
 * The edit loop as a publisher lives it, in its own process so the benchmark
 * can measure it from outside: `colophon dev` on a book, and once every
 * edition is built, one chapter edited; the time from the edit to the moment
 * every edition (PDFs, EPUB, web) is rebuilt is printed as JSON.
 * node lib/bench/run-dev-edit.js INPUT OUT CHAPTER-FILE
 */
import fs from 'node:fs';
import { startDev } from '../commands/dev.ts';

const [input, outDir, chapter] = process.argv.slice(2);
const quiet = { out: () => {}, err: () => {} };
const startedAt = performance.now();
const session = await startDev({ input, outDir, port: 0, io: quiet });
const first = session.nextEditions();
if (!(await first)) throw new Error('the first build of every edition failed');
const coldSeconds = (performance.now() - startedAt) / 1000;

const editedAt = performance.now();
const rebuilt = session.nextEditions();
fs.appendFileSync(chapter, '\nAn edited sentence at the end of the chapter.\n');
const ok = await rebuilt;
const seconds = (performance.now() - editedAt) / 1000;
await session.close();
if (!ok) throw new Error('the rebuild after the edit failed');
const pdf = JSON.parse(fs.readFileSync(`${outDir}/${session.publications[0].slug}/publication.json`, 'utf8')) as {
  outputs: Array<{ kind: string; pages?: number }>;
};
const pages = pdf.outputs.find((o) => o.kind === 'pdf')?.pages ?? 0;
process.stdout.write(JSON.stringify({ pages, coldSeconds, seconds }) + '\n');
