/**
 * Files a publication refers to (chapters, cover) must live inside its folder:
 * builds must not read arbitrary files, and a folder must be self-contained to
 * be moved or shared. Symbolic links are followed before checking.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export type Resolved =
  | { kind: 'ok'; abs: string; real: string }
  | { kind: 'outside'; abs?: string; viaLink: boolean; target?: string }
  | { kind: 'missing'; abs: string }
  | { kind: 'not-file'; abs: string };

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** `ref` as written in book.yaml; `realDir` is the publication folder with links resolved. */
export async function resolveInside(dir: string, realDir: string, ref: string): Promise<Resolved> {
  if (/^[a-z][a-z0-9+.-]+:/i.test(ref) || path.isAbsolute(ref)) return { kind: 'outside', viaLink: false };
  const abs = path.resolve(dir, ref);
  if (!isInside(dir, abs)) return { kind: 'outside', abs, viaLink: false };
  let real: string;
  try {
    real = await fs.realpath(abs);
  } catch (err) {
    if (isNotFound(err)) return { kind: 'missing', abs };
    throw err;
  }
  if (!isInside(realDir, real)) return { kind: 'outside', abs, viaLink: true, target: real };
  const stat = await fs.stat(real);
  return stat.isFile() ? { kind: 'ok', abs, real } : { kind: 'not-file', abs };
}

export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Natural name order, so `ch-2.md` comes before `ch-10.md`; fixed locale for reproducible builds. */
const collator = new Intl.Collator('en', { numeric: true });
export function nameOrder(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
