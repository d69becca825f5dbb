/**
 * The edit loop as a publisher lives it, in its own process so the benchmark
 * can measure it from outside: `colophon dev` on a book, and once every
 * edition is built, one chapter edited; the time from the edit to the moment
 * every edition (PDFs, EPUB, web) is rebuilt is printed as JSON.
 * node lib/bench/run-dev-edit.js INPUT OUT CHAPTER-FILE
 */
import fs from 'node:fs';
import { startDev } from '../commands/dev.ts';
import type { PublicationManifest } from '../editions.ts';
import { tuneForShortRun } from '../util/short-run.ts';

// As the colophon command does (bin/colophon.js).
tuneForShortRun();

const [input, outDir, chapter] = process.argv.slice(2);
// What the session reports is kept, to say why a build failed.
let said = '';
const quiet = { out: () => {}, err: (s: string) => void (said += s) };
const session = await startDev({ input, outDir, port: 0, io: quiet });
if (!(await session.nextEditions())) throw new Error(`the first build of every edition failed:\n${said}`);
// An edit comes a moment after the build, as a person at the keyboard makes it (the session readies the next build's layout pages meanwhile).
await new Promise((resolve) => setTimeout(resolve, 1000));

const editedAt = performance.now();
const rebuilt = session.nextEditions();
fs.appendFileSync(chapter, '\nAn edited sentence at the end of the chapter.\n');
const ok = await rebuilt;
const seconds = (performance.now() - editedAt) / 1000;
await session.close();
if (!ok) throw new Error(`the rebuild after the edit failed:\n${said}`);
const manifest = JSON.parse(fs.readFileSync(`${outDir}/${session.publications[0].slug}/publication.json`, 'utf8')) as PublicationManifest;
const pages = manifest.outputs.find((o) => o.kind === 'pdf')?.pages ?? 0;
process.stdout.write(JSON.stringify({ pages, seconds }) + '\n');
