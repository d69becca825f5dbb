/** EPUBCheck, the reference validator for EPUB, run as the W3C ships it (a Java jar). */
import fs from 'node:fs';
import { CommandError } from '../errors.ts';
import { runTool } from './run-tool.ts';
import type { CheckResult } from './types.ts';

/** Java without its performance-data file, which the JVM otherwise leaves in the temp folder (hsperfdata_<user>). */
export const JAVA_ARGS = ['-XX:-UsePerfData'];

export function epubcheckJar(): string {
  return process.env.EPUBCHECK_JAR || '/usr/share/java/epubcheck.jar';
}

/** Fails early, before any publication is checked, when Java or the jar is missing. */
export async function requireEpubcheck(): Promise<Epubcheck> {
  const jar = epubcheckJar();
  await runTool('java', [...JAVA_ARGS, '-version'], 'JAVA_MISSING');
  if (!fs.existsSync(jar)) throw new CommandError('EPUBCHECK_MISSING', `EPUBCheck was not found at ${jar}.`);
  // The validation output does not name the version; `--version` does (and then complains that no file was given).
  const { stdout, stderr } = await runTool('java', [...JAVA_ARGS, '-jar', jar, '--version'], 'JAVA_MISSING');
  const version = /EPUBCheck v?([\d.]+)/i.exec(`${stdout}\n${stderr}`)?.[1];
  return { jar, label: version ? `EPUBCheck ${version}` : 'EPUBCheck' };
}

export interface Epubcheck {
  jar: string;
  /** "EPUBCheck 4.2.6", for the report. */
  label: string;
}

const SUMMARY = /Messages: (\d+) fatals? \/ (\d+) errors? \/ (\d+) warnings?/;

export async function checkEpub(file: string, name: string, { jar, label }: Epubcheck): Promise<CheckResult> {
  const { status, stdout, stderr } = await runTool('java', [...JAVA_ARGS, '-jar', jar, file], 'JAVA_MISSING');
  const output = `${stdout}\n${stderr}`;
  const m = SUMMARY.exec(output);
  if (!m) {
    const clean = status === 0 && /No errors or warnings detected/.test(output);
    return { file: name, check: 'EPUBCheck', ok: clean, detail: clean ? `${label}: 0 errors, 0 warnings` : `${label} gave no summary (exit ${status})` };
  }
  const [fatals, errors, warnings] = m.slice(1, 4).map(Number);
  const first = /^(?:FATAL|ERROR)\([^)]*\): .*$/m.exec(output)?.[0];
  return {
    file: name,
    check: 'EPUBCheck',
    ok: fatals + errors === 0 && status === 0,
    detail: `${label}: ${fatals + errors} errors, ${warnings} warnings${first ? `; first: ${first.slice(0, 160)}` : ''}`,
  };
}
