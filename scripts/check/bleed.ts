/**
 * The bleed a print PDF should have, read from the publication's book.yaml
 * when its source is at hand. Built outputs do not record it, and the check
 * must also work on a dist/ folder without sources.
 */
import path from 'node:path';
import fs from 'node:fs';
import { findPublications, loadPublication } from '../load/load-publication.ts';

const PT_PER: Record<string, number> = { pt: 1, in: 72, mm: 72 / 25.4, cm: 72 / 2.54, q: 72 / 101.6, pc: 12, px: 0.75 };

/** A CSS length (`3mm`, `0.125in`, `0`) in PDF points. */
export function lengthToPt(length: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?|\.\d+)([a-z]*)$/i.exec(length.trim());
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  if (!unit) return Number(m[1]) === 0 ? 0 : undefined;
  const factor = PT_PER[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** Slug → bleed in points, for every publication under `input` that loads; others are left out. */
export async function configuredBleeds(input: string): Promise<Map<string, number>> {
  const bleeds = new Map<string, number>();
  if (!fs.existsSync(input)) return bleeds;
  let dirs: string[];
  try {
    dirs = await findPublications(path.resolve(input));
  } catch {
    return bleeds;
  }
  for (const dir of dirs) {
    try {
      const { meta } = await loadPublication(dir);
      const pt = lengthToPt(meta.page.bleed);
      if (pt !== undefined) bleeds.set(meta.slug, pt);
    } catch {
      // A source that no longer loads cannot say what was built; the boxes are then checked for symmetry only.
    }
  }
  return bleeds;
}
