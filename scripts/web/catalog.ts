/**
 * dist/index.html: every publication found in the output folder (not only the
 * ones this run built), read from each one's publication.json. Each entry is
 * in its publication's language (lang, dir and interface strings); the page
 * itself takes the language the publications share, else English.
 */
import fs from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import type { BuildContext } from '../context.ts';
import type { PublicationManifest } from '../editions.ts';
import { loadTheme } from '../render/theme.ts';
import { directionOf } from '../render/view-model.ts';
import { downloadLinks } from './downloads.ts';

const THUMB_WIDTH = 120;

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
      const thumb = m.thumbnail ? thumbnailSize(path.join(path.dirname(f), m.thumbnail)) : undefined;
      return {
        slug,
        book: m.book,
        strings,
        thumbnail: m.thumbnail && thumb ? `${slug}/${m.thumbnail}` : null,
        thumbnailWidth: thumb?.width,
        thumbnailHeight: thumb?.height,
        web: m.outputs.some((o) => o.kind === 'web'),
        downloads: downloadLinks(m.outputs, strings, m.book.language, `${slug}/`),
      };
    });
  const languages = [...new Set(publications.map((p) => p.book.language))];
  const language = languages.length === 1 ? languages[0] : 'en';
  const strings = theme.strings(language);
  fs.writeFileSync(path.join(ctx.outDir, 'catalog.css'), theme.file('css/catalog.css'));
  const file = path.join(ctx.outDir, 'index.html');
  fs.writeFileSync(file, theme.render('catalog', { title: strings.publications, language, dir: directionOf(language), publications }));
  return file;
}

/** Width and height attributes that keep the cover's proportions, so the page does not jump as it loads. */
function thumbnailSize(file: string): { width: number; height: number } | undefined {
  try {
    const { width, height } = imageSize(fs.readFileSync(file));
    if (!width || !height) return undefined;
    return { width: THUMB_WIDTH, height: Math.round((THUMB_WIDTH * height) / width) };
  } catch {
    return undefined;
  }
}
