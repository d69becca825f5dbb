/**
 * `colophon check`: validates what `colophon build` wrote, with the same tools
 * a distributor would use. Exit 1 when any check fails.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { CommandError } from '../errors.ts';
import { findBuilt } from '../check/find-built.ts';
import { formatPublicationCheck } from '../check/table.ts';
import type { PublicationCheck } from '../check/types.ts';
import type { Io } from './io.ts';
import { displayPath } from './display.ts';

export interface CheckSummary {
  ok: boolean;
  outDir: string;
  publications: PublicationCheck[];
}

export async function checkOutputs(options: { input: string; outDir: string }): Promise<CheckSummary> {
  // The validators' modules are loaded when needed, so that --help answers at once.
  const [{ configuredBleeds }, { checkPublication }, { requireEpubcheck }] = await Promise.all([
    import('../check/bleed.ts'),
    import('../check/check-publication.ts'),
    import('../check/epubcheck.ts'),
  ]);
  const outDir = path.resolve(options.outDir);
  const built = findBuilt(outDir);
  if (!built.length) throw new CommandError('NO_OUTPUTS', `No built publications in ${outDir} (no */publication.json).`);
  const needsEpubcheck = built.some((p) => p.outputs.some((o) => o.kind === 'epub'));
  // Missing tools are reported before any work, so the user fixes the machine once.
  const epubcheck = needsEpubcheck ? await requireEpubcheck() : undefined;
  const bleeds = await configuredBleeds(options.input);
  const publications: PublicationCheck[] = [];
  for (const pub of built) publications.push(await checkPublication(pub, { epubcheck, ace: needsEpubcheck, bleed: bleeds.get(pub.slug) }));
  return { ok: publications.every((p) => p.ok), outDir, publications };
}

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('validate built outputs: EPUBCheck and Ace by DAISY on EPUBs; fonts, pages, boxes, bookmarks and metadata of PDFs')
    .argument('[dir]', 'the sources (for the configured bleed); outputs are found in --out', 'content')
    .option('-o, --out <dir>', 'output folder that `colophon build` wrote', 'dist')
    .option('--json', 'print the results as JSON on stdout')
    .action(async (dir: string, flags: { out: string; json?: boolean }) => {
      const summary = await checkOutputs({ input: dir, outDir: flags.out });
      if (flags.json) io.out(JSON.stringify(summary, null, 2) + '\n');
      else {
        io.out(summary.publications.map((p) => formatPublicationCheck(p, displayPath(p.dir))).join('\n'));
      }
      if (!summary.ok) {
        const failed = summary.publications.filter((p) => !p.ok).map((p) => p.slug);
        throw new CommandError('CHECK_FAILED', `Checks failed for ${failed.join(', ')}; see the table above.`);
      }
    });
}
