/**
 * The one timestamp of a build. Never the clock: SOURCE_DATE_EPOCH when set
 * (the reproducible-builds convention), else the publication date in
 * book.yaml, else the newest source file's modification time.
 */
import fs from 'node:fs';
import type { BuildContext } from './context.ts';
import type { Publication } from './model.ts';

export function buildDate(ctx: Pick<BuildContext, 'sourceDateEpoch'>, pub: Publication): Date {
  if (ctx.sourceDateEpoch !== undefined) return new Date(ctx.sourceDateEpoch * 1000);
  if (pub.meta.date && /^\d{4}-\d{2}-\d{2}$/.test(pub.meta.date)) return new Date(`${pub.meta.date}T00:00:00Z`);
  const newest = Math.max(...[pub.bookFile, ...pub.chapters.map((c) => c.file)].map((f) => fs.statSync(f).mtimeMs));
  return new Date(Math.floor(newest / 1000) * 1000);
}
