/**
 * Parses every chapter of a publication, collecting all problems before
 * failing so that an author sees every broken image in one run.
 */
import type { BuildContext } from '../context.ts';
import { ContentError, type Diagnostic } from '../diagnostics.ts';
import type { ParsedChapter, Publication } from '../model.ts';
import { parseChapter } from './parse-chapter.ts';

export function parsePublication(pub: Publication, ctx: BuildContext): ParsedChapter[] {
  const errors: Diagnostic[] = [];
  const chapters = pub.chapters.map((source, index) => {
    const { chapter, diagnostics } = parseChapter(source, {
      publicationDir: pub.dir,
      bookLanguage: pub.meta.language,
      index,
      displayPath: ctx.displayPath,
    });
    for (const d of diagnostics) {
      if (d.severity === 'error') errors.push(d);
      else ctx.logger.warn(d);
    }
    return chapter;
  });
  if (errors.length) throw new ContentError(errors);
  return chapters;
}
