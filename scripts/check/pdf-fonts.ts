/** Every font a PDF uses must be embedded, or the printer and readers substitute their own. */
import { runTool } from './run-tool.ts';
import type { CheckResult } from './types.ts';

export interface PdfFont {
  name: string;
  embedded: boolean;
}

export function parsePdffonts(stdout: string): PdfFont[] {
  // Two header lines; the flag columns (emb sub uni) hold no spaces, name and type may.
  return stdout
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => ({ name: l.split(/\s+/)[0], embedded: l.trim().split(/\s+/).slice(-5, -2)[0] === 'yes' }));
}

export async function checkFonts(file: string, name: string): Promise<CheckResult> {
  const { status, stdout, stderr } = await runTool('pdffonts', [file], 'POPPLER_MISSING');
  if (status !== 0) return { file: name, check: 'fonts', ok: false, detail: `pdffonts could not read it: ${firstLine(stderr)}` };
  const fonts = parsePdffonts(stdout);
  const missing = fonts.filter((f) => !f.embedded).map((f) => f.name);
  if (!fonts.length) return { file: name, check: 'fonts', ok: false, detail: 'no fonts found' };
  return missing.length
    ? { file: name, check: 'fonts', ok: false, detail: `not embedded: ${[...new Set(missing)].join(', ')}` }
    : { file: name, check: 'fonts', ok: true, detail: `${fonts.length} fonts, all embedded` };
}

export function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.slice(0, 160) || 'no message';
}
