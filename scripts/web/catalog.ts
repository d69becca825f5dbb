/**
 * dist/index.html: every publication found in the output folder (not only the
 * ones this run built), read from each one's publication.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BuildContext } from '../context.ts';
import type { PublicationManifest } from '../editions.ts';
import { loadTheme } from '../render/theme.ts';
import { downloadLinks } from './downloads.ts';

export async function writeCatalog(ctx: BuildContext): Promise<string> {
  const theme = loadTheme(ctx.toolRoot, ctx.outDir, ctx.displayPath);
  const publications = fs
    .readdirSync(ctx.outDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => path.join(ctx.outDir, d.name, 'publication.json'))
    .filter((f) => fs.existsSync(f))
    .sort()
    .map((f) => {
      const m = JSON.parse(fs.readFileSync(f, 'utf8')) as PublicationManifest;
      const slug = path.basename(path.dirname(f));
      const strings = theme.strings(m.book.language);
      return {
        slug,
        book: m.book,
        strings,
        thumbnail: m.thumbnail ? `${slug}/${m.thumbnail}` : null,
        downloads: downloadLinks(m.outputs, strings, m.book.language, `${slug}/`),
      };
    });
  const strings = theme.strings('en');
  fs.writeFileSync(path.join(ctx.outDir, 'catalog.css'), theme.file('css/catalog.css'));
  const file = path.join(ctx.outDir, 'index.html');
  fs.writeFileSync(file, theme.render('catalog', { title: strings.publications, language: 'en', publications }));
  return file;
}
