/**
 * rehype plugin: every image must be a non-empty local file inside the
 * publication folder, so that each edition can embed it and no build ever
 * fetches from the network or reads outside the folder it was given.
 *
 * Runs before sanitising so that it sees `src` exactly as written. Accepted
 * images get `src` relative to the publication folder (a percent-encoded URL
 * path with `/` separators; renderers rewrite it per edition) and, where the
 * header can be read, `width`/`height` so pages do not reflow while loading.
 * Problems are reported as vfile messages with `ruleId` set to the code.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { imageSize } from 'image-size';
import type { VFile } from 'vfile';
import { elements, stringProperty } from './hast-helpers.ts';

export interface LocalImagesOptions {
  /** Absolute path of the publication folder. */
  publicationDir: string;
  /** Folder of the chapter file; relative `src` values resolve against it. */
  baseDir: string;
  /** Receives the absolute path of each accepted image, once, in order. */
  images: string[];
}

/** Formats that browsers, Chromium's PDF output and EPUB readers all display (EPUB 3 core media types). */
const PORTABLE_TYPES = new Set(['png', 'jpg', 'gif', 'webp', 'svg']);

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

function decode(src: string): string {
  try {
    return decodeURIComponent(src);
  } catch {
    return src;
  }
}

function pixelSize(file: string): { width: number; height: number; type?: string } | undefined {
  try {
    const size = imageSize(fs.readFileSync(file));
    // EXIF orientations 5–8 rotate by 90°: the displayed box is transposed.
    const turned = size.orientation !== undefined && size.orientation >= 5;
    return { width: turned ? size.height : size.width, height: turned ? size.width : size.height, type: size.type };
  } catch {
    return undefined;
  }
}

export default function rehypeLocalImages(options: LocalImagesOptions) {
  const publicationReal = realpath(options.publicationDir);

  return (tree: Root, file: VFile): undefined => {
    const fail = (node: Element, code: string, reason: string, hint: string) => {
      const message = file.message(reason, { place: node.position, ruleId: code, source: 'colophon' });
      message.fatal = true;
      message.note = hint;
    };

    for (const [node] of elements(tree)) {
      if (node.tagName !== 'img') continue;
      const src = stringProperty(node, 'src')?.trim() ?? '';
      if (src === '') {
        fail(node, 'IMAGE_MISSING', 'Image has no source', 'give the path of an image file in the publication folder');
        continue;
      }
      if (/^[a-z][a-z\d+.-]*:/i.test(src) && !/^[a-z]:[\\/]/i.test(src) || src.startsWith('//')) {
        fail(
          node,
          'IMAGE_REMOTE',
          `Image "${src.length > 80 ? src.slice(0, 77) + '…' : src}" is not a local file`,
          'download it into the publication folder and refer to it by a relative path',
        );
        continue;
      }
      const filePath = decode(src.replace(/[?#].*$/, ''));
      if (path.isAbsolute(filePath) || path.win32.isAbsolute(filePath)) {
        fail(node, 'IMAGE_OUTSIDE', `Image "${src}" is an absolute path`, 'use a path relative to the chapter file, inside the publication folder');
        continue;
      }
      const absolute = path.resolve(options.baseDir, filePath);
      if (!isInside(options.publicationDir, absolute)) {
        fail(node, 'IMAGE_OUTSIDE', `Image "${src}" is outside the publication folder`, 'copy it into the publication folder (for example into images/)');
        continue;
      }
      let stat: fs.Stats;
      try {
        stat = fs.statSync(absolute);
      } catch {
        fail(node, 'IMAGE_MISSING', `Image "${src}" does not exist`, `expected a file at ${path.relative(options.publicationDir, absolute)} in the publication folder; check the spelling and letter case`);
        continue;
      }
      if (!stat.isFile()) {
        fail(node, 'IMAGE_MISSING', `Image "${src}" is not a file`, 'point to an image file, not a folder');
        continue;
      }
      if (!isInside(publicationReal, realpath(absolute))) {
        fail(node, 'IMAGE_OUTSIDE', `Image "${src}" is a link to a file outside the publication folder`, 'copy the file itself into the publication folder');
        continue;
      }
      if (stat.size === 0) {
        fail(node, 'IMAGE_EMPTY', `Image "${src}" is an empty file`, 'replace it with the real image');
        continue;
      }

      const relative = path.relative(options.publicationDir, absolute).split(path.sep).join('/');
      node.properties.src = encodeURI(relative);
      if (!options.images.includes(absolute)) options.images.push(absolute);

      const size = pixelSize(absolute);
      if (size && node.properties.width === undefined && node.properties.height === undefined) {
        node.properties.width = size.width;
        node.properties.height = size.height;
      }
      if (!size?.type || !PORTABLE_TYPES.has(size.type)) {
        file.message(`Image "${src}" is ${size?.type ? `in ${size.type.toUpperCase()} format` : 'not in a format Colophon can read'}`, {
          place: node.position,
          ruleId: 'IMAGE_FORMAT',
          source: 'colophon',
        }).note = 'convert it to PNG, JPEG, GIF, WebP or SVG so every edition can show it';
      }
    }
  };
}
