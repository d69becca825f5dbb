/**
 * The files an HTML edition loads: stylesheets, the font subsets the text
 * needs, and the publication's images, copied into one folder so that the
 * page reads nothing from elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Root, Element } from 'hast';
import { visit } from 'unist-util-visit';
import { fontFaceCss, type FontFace } from '../fonts/font-faces.ts';
import type { Theme } from './theme.ts';
import { placeFile } from '../write/place-file.ts';
import { cloneTree } from '../parse/hast-helpers.ts';

export interface SiteAssets {
  /** Stylesheet hrefs in load order, relative to the HTML file (the font faces first). */
  stylesheets: string[];
  /** The font faces' stylesheet alone, and the others. */
  fonts: string;
  styles: string[];
}

/** Copy CSS, fonts and images into `dir`; return the stylesheet links. */
export function writeSiteAssets(
  dir: string,
  options: { theme: Theme; faces: FontFace[]; images: string[]; publicationDir: string; css: string[]; extraCss?: string },
): SiteAssets {
  fs.mkdirSync(path.join(dir, 'assets', 'fonts'), { recursive: true });
  for (const face of options.faces) placeFile(face.file, path.join(dir, 'assets', 'fonts', path.basename(face.file)));
  fs.writeFileSync(
    path.join(dir, 'assets', 'fonts.css'),
    fontFaceCss(options.faces, (f) => `fonts/${path.basename(f.file)}`) + '\n',
  );
  const fonts = 'assets/fonts.css';
  const styles: string[] = [];
  for (const name of options.css) {
    fs.writeFileSync(path.join(dir, 'assets', name), options.theme.file(`css/${name}`));
    styles.push(`assets/${name}`);
  }
  if (options.extraCss) {
    fs.writeFileSync(path.join(dir, 'assets', 'page.css'), options.extraCss);
    styles.push('assets/page.css');
  }
  for (const abs of options.images) {
    const rel = path.relative(options.publicationDir, abs);
    const dest = path.join(dir, 'assets', 'media', rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(abs, dest);
  }
  return { stylesheets: [fonts, ...styles], fonts, styles };
}

/** A copy of `tree` whose image sources (relative to the publication folder) go through `map`. */
export function rewriteImageSources(tree: Root, map: (relPath: string) => string): Root {
  const copy = cloneTree(tree);
  visit(copy, 'element', (node: Element) => {
    if (node.tagName === 'img' && typeof node.properties?.src === 'string') {
      node.properties.src = map(node.properties.src);
    }
  });
  return copy;
}
