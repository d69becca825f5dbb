/**
 * Outputs are built in a staging folder beside their destination and swapped
 * in by rename only when everything succeeded, so a failed or killed build
 * leaves the previous good `dist/<slug>/` in place.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export async function createStaging(outDir: string, slug: string): Promise<string> {
  await fs.mkdir(outDir, { recursive: true });
  return fs.mkdtemp(path.join(outDir, `.staging-${slug}-`));
}

export async function replaceDir(staging: string, target: string): Promise<void> {
  const old = `${target}.old-${process.pid}`;
  let hadOld = false;
  try {
    await fs.rename(target, old);
    hadOld = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await fs.rename(staging, target);
  } catch (error) {
    if (hadOld) await fs.rename(old, target);
    throw error;
  }
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

/** Leftovers of builds that were killed: staging folders and swapped-out copies. */
export async function removeLeftovers(outDir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(outDir);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((n) => n.startsWith('.staging-') || /\.old-\d+$/.test(n))
      .map((n) => fs.rm(path.join(outDir, n), { recursive: true, force: true })),
  );
}

/** Write a file by writing a sibling and renaming it over the target. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}
