/**
 * Ace by DAISY, the accessibility checker the EPUB Accessibility spec points
 * to. We run `@daisy/ace-cli` (its puppeteer runner) against the system
 * Chromium: the `@daisy/ace` meta-package would pull Electron, whose install
 * downloads a binary. Ace's runner already passes --no-sandbox; Chromium's
 * profile, Ace's temporary reports and its config folder all live in one
 * temporary folder that is removed afterwards.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium } from '../browser.ts';
import { packageDir } from '../util/package-dir.ts';
import type { CheckResult } from './types.ts';

export const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
export type Impact = (typeof IMPACTS)[number];

export interface AceViolation {
  impact: Impact;
  rule: string;
  title: string;
  location: string;
}

export interface AceReport {
  version: string;
  counts: Record<Impact, number>;
  violations: AceViolation[];
}

interface EarlAssertion {
  'earl:test'?: { 'earl:impact'?: string; 'dct:title'?: string; 'dct:description'?: string };
  'earl:result'?: { 'earl:outcome'?: string; 'earl:pointer'?: { css?: string[] } };
  assertions?: EarlAssertion[];
  'earl:testSubject'?: { url?: string };
}

export async function runAce(epub: string): Promise<AceReport> {
  const dir = packageDir('@daisy/ace-cli');
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-ace-'));
  try {
    const env = {
      ...process.env,
      PUPPETEER_EXECUTABLE_PATH: findChromium(),
      PUPPETEER_SKIP_DOWNLOAD: '1',
      TMPDIR: root,
      // Ace keeps a config and log folder (env-paths): keep it in the temporary folder too.
      XDG_CONFIG_HOME: path.join(root, 'config'),
      XDG_DATA_HOME: path.join(root, 'data'),
      XDG_CACHE_HOME: path.join(root, 'cache'),
      XDG_STATE_HOME: path.join(root, 'state'),
    };
    const out = path.join(root, 'report');
    const args = [path.join(dir, 'bin', 'ace.js'), '--silent', '--force', '--outdir', out, '--tempdir', path.join(root, 'work'), epub];
    const { status, stdout, stderr } = await run(process.execPath, args, env);
    const reportFile = path.join(out, 'report.json');
    if (!fs.existsSync(reportFile)) throw new Error(`Ace wrote no report (exit ${status}): ${(stderr || stdout).trim().slice(0, 400)}`);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { assertions?: EarlAssertion[] };
    const violations: AceViolation[] = [];
    const walk = (list: EarlAssertion[] | undefined, location: string): void => {
      for (const a of list ?? []) {
        const where = a['earl:testSubject']?.url ?? location;
        if (a['earl:result']?.['earl:outcome'] === 'fail') {
          const impact = (a['earl:test']?.['earl:impact'] ?? 'minor') as Impact;
          violations.push({
            impact: IMPACTS.includes(impact) ? impact : 'minor',
            rule: a['earl:test']?.['dct:title'] ?? '?',
            title: a['earl:test']?.['dct:description'] ?? '',
            location: `${where}${a['earl:result']?.['earl:pointer']?.css?.[0] ? ' ' + a['earl:result']['earl:pointer'].css[0] : ''}`,
          });
        }
        walk(a.assertions, where);
      }
    };
    walk(report.assertions, '');
    const counts = Object.fromEntries(IMPACTS.map((i) => [i, violations.filter((v) => v.impact === i).length])) as Record<Impact, number>;
    return { version, counts, violations };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** One row of `colophon check`: fails on serious or critical violations. */
export async function checkAce(file: string, name: string): Promise<CheckResult> {
  try {
    const r = await runAce(file);
    const bad = r.violations.find((v) => v.impact === 'critical' || v.impact === 'serious');
    return {
      file: name,
      check: 'Ace',
      ok: r.counts.critical + r.counts.serious === 0,
      detail:
        `Ace ${r.version}: ` +
        IMPACTS.map((i) => `${r.counts[i]} ${i}`).join(', ') +
        (bad ? `; first: ${bad.rule} (${bad.location})`.slice(0, 200) : ''),
    };
  } catch (error) {
    return { file: name, check: 'Ace', ok: false, detail: `Ace did not run: ${(error as Error).message.slice(0, 200)}` };
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
