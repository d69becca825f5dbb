/**
 * The field's own validators, called as the user would. A missing tool fails
 * the test with instructions; it never skips silently.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { JAVA_ARGS } from '../../scripts/check/epubcheck.ts';

export const EPUBCHECK_JAR = process.env.EPUBCHECK_JAR ?? '/usr/share/java/epubcheck.jar';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function requireTool(name: 'java' | 'pdfinfo' | 'pdffonts' | 'pdftotext' | 'pdftoppm' | 'qpdf'): void {
  if (!which(name)) {
    throw new Error(`${name} is not installed. Run \`npm run setup\` (Debian: apt-get install poppler-utils qpdf default-jre-headless).`);
  }
}

export interface EpubcheckResult {
  fatals: number;
  errors: number;
  warnings: number;
  output: string;
}

export function epubcheck(file: string): EpubcheckResult {
  requireTool('java');
  if (!fs.existsSync(EPUBCHECK_JAR)) {
    throw new Error(`EPUBCheck is not installed at ${EPUBCHECK_JAR}. Run \`npm run setup\` (Debian: apt-get install epubcheck) or set EPUBCHECK_JAR.`);
  }
  const r = spawnSync('java', [...JAVA_ARGS, '-jar', EPUBCHECK_JAR, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout}\n${r.stderr}`;
  const m = /Messages: (\d+) fatals? \/ (\d+) errors? \/ (\d+) warnings?/.exec(output);
  if (!m) {
    if (/No errors or warnings detected/.test(output)) return { fatals: 0, errors: 0, warnings: 0, output };
    throw new Error(`EPUBCheck gave no summary:\n${output}`);
  }
  return { fatals: Number(m[1]), errors: Number(m[2]), warnings: Number(m[3]), output };
}

export function pdfinfo(file: string): Record<string, string> {
  requireTool('pdfinfo');
  const out = execFileSync('pdfinfo', ['-enc', 'UTF-8', file], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

export interface PdfFont {
  name: string;
  embedded: boolean;
  subset: boolean;
}

export function pdffonts(file: string): PdfFont[] {
  requireTool('pdffonts');
  const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  return lines.map((l) => {
    // Columns: name type encoding emb sub uni object ID — name and type may hold spaces, the flags do not.
    const flags = l.trim().split(/\s+/).slice(-5, -2);
    return { name: l.split(/\s+/)[0], embedded: flags[0] === 'yes', subset: flags[1] === 'yes' };
  });
}

export function pdftext(file: string, options: { first?: number; last?: number; layout?: boolean } = {}): string {
  requireTool('pdftotext');
  const args = ['-enc', 'UTF-8'];
  if (options.first) args.push('-f', String(options.first));
  if (options.last) args.push('-l', String(options.last));
  if (options.layout) args.push('-layout');
  return execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Text of every page, 1-based index 0 unused. */
export function pdfPages(file: string): string[] {
  return ['', ...pdftext(file).split('\f')];
}

export function pdfBoxes(file: string, page: number): Record<string, number[]> {
  requireTool('pdfinfo');
  const out = execFileSync('pdfinfo', ['-box', '-f', String(page), '-l', String(page), file], { encoding: 'utf8' });
  const boxes: Record<string, number[]> = {};
  for (const m of out.matchAll(/Page\s+\d+\s+(\w+Box):\s+([\d.\s]+)/g)) boxes[m[1]] = m[2].trim().split(/\s+/).map(Number);
  return boxes;
}

/** Whitespace folded, quotes and dashes made plain, for comparing source text with extracted text. */
export function normalise(text: string): string {
  return text
    .replace(/[\u00AD\u2060\u200B]/g, '')
    .replace(/[“”„«»"]/g, '"')
    .replace(/[‘’‚']/g, "'")
    .replace(/[–—]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every page's boxes, in one pdfinfo call. */
export function pdfBoxesAll(file: string): Array<Record<string, number[]>> {
  requireTool('pdfinfo');
  const pages = Number(pdfinfo(file).Pages);
  const out = execFileSync('pdfinfo', ['-box', '-f', '1', '-l', String(pages), file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const result: Array<Record<string, number[]>> = [];
  for (const m of out.matchAll(/Page\s+(\d+)\s+(\w+Box):\s+([\d.\s]+?)\n/g)) {
    const i = Number(m[1]) - 1;
    result[i] ??= {};
    result[i][m[2]] = m[3].trim().split(/\s+/).map(Number);
  }
  return result;
}

/** PNG renders of some pages into `dir`, for people to look at. */
export function renderPages(file: string, dir: string, pages: number[]): void {
  requireTool('pdftoppm');
  fs.mkdirSync(dir, { recursive: true });
  for (const p of pages) {
    spawnSync('pdftoppm', ['-r', '60', '-png', '-f', String(p), '-l', String(p), file, `${dir}/page`]);
  }
}
