/** Built publications are the folders of `<out>/` that hold a publication.json manifest. */
import fs from 'node:fs';
import path from 'node:path';
import type { OutputFile } from '../web/downloads.ts';

export interface BuiltPublication {
  slug: string;
  title: string;
  /** Author names as the PDFs' metadata lists them. */
  author: string;
  dir: string;
  outputs: OutputFile[];
}

interface Manifest {
  book?: { title?: string; slug?: string; authors?: { name: string }[] };
  outputs?: OutputFile[];
}

export function findBuilt(outDir: string): BuiltPublication[] {
  if (!fs.existsSync(outDir)) return [];
  return fs
    .readdirSync(outDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(outDir, e.name, 'publication.json')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = path.join(outDir, name);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'publication.json'), 'utf8')) as Manifest;
      return {
        slug: manifest.book?.slug ?? name,
        title: manifest.book?.title ?? name,
        author: (manifest.book?.authors ?? []).map((a) => a.name).join(', '),
        dir,
        outputs: manifest.outputs ?? [],
      };
    });
}
