/**
 * `colophon check` on a real build of the sample: clean outputs pass every
 * probe, and a damaged PDF makes the check fail with exit status 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../scripts/cli.ts';
import { ROOT, buildInto } from './helpers/build.ts';

const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (s) => void (stdout += s), err: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

describe('colophon check', () => {
  let out: string;

  beforeAll(async () => {
    ({ outDir: out } = await buildInto(SAMPLE, { formats: ['pdf', 'print', 'epub'] }));
  });

  it('passes a clean build and says so in a table', async () => {
    const r = await run('check', SAMPLE, '--out', out);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/colophon-guide\.epub\s+EPUBCheck\s+ok\s+EPUBCheck [\d.]+: 0 errors, 0 warnings/);
    expect(r.stdout).toMatch(/colophon-guide-print\.pdf\s+print boxes\s+ok\s+TrimBox\/BleedBox on all \d+ pages; bleed 8\.5 pt as in book\.yaml/);
    for (const check of ['structure', 'fonts', 'pages', 'outline', 'metadata']) {
      expect(r.stdout).toMatch(new RegExp(`colophon-guide\\.pdf\\s+${check}\\s+ok`));
    }
    expect(r.stdout).not.toContain('FAIL');
  });

  it('fails when a PDF is damaged', async () => {
    const pdf = path.join(out, 'colophon-guide', 'colophon-guide.pdf');
    fs.truncateSync(pdf, Math.floor(fs.statSync(pdf).size / 2));
    // As JSON this time, which also shows that --json carries the same results.
    const r = await run('check', SAMPLE, '--out', out, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[CHECK_FAILED]');
    const summary = JSON.parse(r.stdout) as { ok: boolean; publications: { results: { file: string; check: string; ok: boolean }[] }[] };
    expect(summary.ok).toBe(false);
    const failed = summary.publications[0].results.filter((x) => !x.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((x) => x.file === 'colophon-guide.pdf')).toBe(true);
  });

  it('names what to do when nothing was built', async () => {
    const r = await run('check', SAMPLE, '--out', path.join(out, 'nothing-here'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[NO_OUTPUTS]');
  });

  it('names how to install EPUBCheck when the jar is missing', async () => {
    const saved = process.env.EPUBCHECK_JAR;
    process.env.EPUBCHECK_JAR = path.join(out, 'no-such.jar');
    try {
      const r = await run('check', SAMPLE, '--out', out);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[EPUBCHECK_MISSING]');
      expect(r.stderr).toContain('apt-get install epubcheck');
    } finally {
      if (saved === undefined) delete process.env.EPUBCHECK_JAR;
      else process.env.EPUBCHECK_JAR = saved;
    }
  });
});
