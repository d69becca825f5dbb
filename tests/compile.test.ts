/**
 * The compiled CLI (npm run compile) is the same program as the sources: it
 * finds the templates and in-page scripts from lib/, and builds the same EPUB
 * byte for byte. bin/colophon.js runs it only while it is fresh.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, dropVisitNaming } from '../scripts/compile.ts';
import offlineFetch from '../scripts/package/offline-fetch.ts';
import { freshCompiled } from '../bin/compiled.js';
import { ROOT, buildInto, tempDir } from './helpers/build.ts';

const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');
const NOVEL = path.join(ROOT, '..', 'shared', 'fixtures', 'novel');
// Inside the project, as lib/ is: Colophon finds its own folder by walking up from the compiled files.
const OUT = path.join(ROOT, 'test-artifacts', `compiled-${process.pid}`);
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

describe('the compiled CLI', () => {
  it('builds the sample as the sources do: a PDF with every page, the same EPUB bytes', async () => {
    await compile(OUT);
    expect(fs.existsSync(path.join(OUT, 'cli.js'))).toBe(true);
    expect(fs.readdirSync(OUT).some((f) => f.endsWith('.partial-' + process.pid))).toBe(false);

    const version = spawnSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(path.join(OUT, 'cli.js'))}); process.exitCode = await main(['--version']);`], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);

    const compiledOut = tempDir();
    const run = spawnSync(process.execPath, [path.join(OUT, 'bench', 'run-build.js'), SAMPLE, compiledOut, 'pdf,epub,web', 'none'], {
      encoding: 'utf8',
      env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' },
      timeout: 180_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!).pages).toBeGreaterThan(20);

    // The same formats: the EPUB takes page-break markers from the PDF's page map.
    const fromSource = await buildInto(SAMPLE, { formats: ['pdf', 'epub', 'web'], sourceDateEpoch: 1700000000 });
    const epub = (dir: string) => fs.readFileSync(path.join(dir, 'colophon-guide', 'colophon-guide.epub'));
    expect(epub(compiledOut).equals(epub(fromSource.outDir))).toBe(true);

    // The bundle carries no fetch library: what the EPUB generator would fetch fails, naming it.
    const chunks = fs.readdirSync(path.join(OUT, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(OUT, 'chunks', f), 'utf8'));
    expect(chunks.some((code) => code.includes('node_modules/node-fetch/'))).toBe(false);
    // unist-util-visit-parents is bundled without the naming of a function per node visited (compile.ts).
    const visiting = chunks.filter((code) => code.includes('// node_modules/unist-util-visit-parents/lib/index.js'));
    expect(visiting).toHaveLength(1);
    expect(visiting[0]).toContain('function visitParents(');
    expect(visiting[0]).not.toContain("defineProperty(visit");
    const bundled = chunks.filter((code) => code.includes('A build does not go online'));
    expect(bundled).toHaveLength(1);
    await expect(offlineFetch('https://example.org/a.png')).rejects.toThrow(/does not go online.*https:\/\/example\.org\/a\.png/);
  }, 240_000);

  it('parses chapters in its own helper thread, giving what one thread gives', async () => {
    if (!fs.existsSync(path.join(OUT, 'build.js'))) await compile(OUT);
    expect(fs.existsSync(path.join(OUT, 'parse', 'parse-worker.js'))).toBe(true);
    const outs = [tempDir(), tempDir()];
    // The novel's web edition with and without a helper; what the build said is printed for the test.
    const script = `
      const { build } = await import(${JSON.stringify(pathToFileURL(path.join(OUT, 'build.js')).href)});
      const said = [];
      const logger = { step() {}, warn() {}, info: (m) => said.push(m) };
      for (const [outDir, parseHelpers] of [[${JSON.stringify(outs[0])}, 1], [${JSON.stringify(outs[1])}, 0]])
        await build({ input: ${JSON.stringify(NOVEL)}, outDir, formats: ['web'], cacheDir: false, parseHelpers, logger });
      console.log(JSON.stringify(said));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // A helper that stops is reported (its chapters are parsed on the main thread): here none did.
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual([]);
    const page = (dir: string) => fs.readFileSync(path.join(dir, 'novel', 'index.html'), 'utf8');
    expect(page(outs[0])).toBe(page(outs[1]));
  }, 240_000);
});

describe('dropVisitNaming', () => {
  const file = path.join(ROOT, 'node_modules', 'unist-util-visit-parents', 'lib', 'index.js');
  const code = fs.readFileSync(file, 'utf8');

  it('takes out the naming of a function per node, and nothing else', () => {
    const dropped = dropVisitNaming(code, file);
    expect(code).toContain("Object.defineProperty(visit, 'name'");
    expect(dropped).not.toContain('defineProperty');
    const removed = code.length - dropped.length;
    expect(removed).toBeGreaterThan(100);
    expect(removed).toBeLessThan(600);
    expect(dropped).toContain('return visit');
  });

  it('fails, naming the file, when the library no longer names them that way', () => {
    expect(() => dropVisitNaming(code.replace("defineProperty(visit, 'name'", "defineProperty(visit, 'label'"), file)).toThrow(/index\.js no longer names its visit functions/);
  });
});

describe('freshCompiled', () => {
  const tree = () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'scripts', 'parse'), { recursive: true });
    fs.mkdirSync(path.join(root, 'lib'));
    fs.writeFileSync(path.join(root, 'scripts', 'cli.ts'), '');
    fs.writeFileSync(path.join(root, 'scripts', 'parse', 'chapter.ts'), '');
    fs.writeFileSync(path.join(root, 'lib', 'cli.js'), '');
    const at = (file: string, seconds: number) => fs.utimesSync(path.join(root, file), seconds, seconds);
    at('scripts/cli.ts', 1000);
    at('scripts/parse/chapter.ts', 1000);
    at('lib/cli.js', 2000);
    return { root, at };
  };

  it('takes lib/ when it is newer than every source', () => {
    const { root } = tree();
    expect(freshCompiled(root, 'cli.js')).toBe(path.join(root, 'lib', 'cli.js'));
  });

  it('leaves lib/ when any source, however deep, was changed after it', () => {
    const { root, at } = tree();
    at('scripts/parse/chapter.ts', 3000);
    expect(freshCompiled(root, 'cli.js')).toBeUndefined();
  });

  it('leaves lib/ when it was never compiled', () => {
    const { root } = tree();
    fs.rmSync(path.join(root, 'lib'), { recursive: true });
    expect(freshCompiled(root, 'cli.js')).toBeUndefined();
  });
});
