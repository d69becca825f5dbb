/** qpdf's structural check: a damaged or truncated file fails here even when viewers manage to repair it. */
import { firstLine } from './pdf-fonts.ts';
import { runTool } from './run-tool.ts';
import type { CheckResult } from './types.ts';

export async function checkStructure(file: string, name: string): Promise<CheckResult> {
  const { status, stdout, stderr } = await runTool('qpdf', ['--check', file], 'POPPLER_MISSING');
  // qpdf exits 0 when clean, 3 with warnings (which for a fresh build still mean damage), 2 on errors.
  const ok = status === 0;
  return { file: name, check: 'structure', ok, detail: ok ? 'qpdf: no problems' : `qpdf: ${firstLine(stderr || stdout)}` };
}
