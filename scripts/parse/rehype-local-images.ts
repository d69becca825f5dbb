/**
 * rehype plugin: every image must be a non-empty local file inside the
 * publication folder, so that each edition can embed it and no build ever
 * fetches from the network or reads outside the folder it was given.
 *
 * Runs before sanitising so that it sees `src` exactly as written. Accepted
 * images get `src` relative to the publication folder (a percent-encoded URL
 * path with `/` separators; renderers rewrite it per edition) and, where the
 * header can be read, `width`/`height` so pages do not reflow while loading.
 * A file that cannot be decoded (damaged, cut short, not an image) is an error:
 * Chromium would silently draw nothing in its place.
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

interface ImageInfo {
  /** Absent when the header gives none (an SVG with neither size nor viewBox, a damaged header of a non-portable format). */
  width?: number;
  height?: number;
  type: string;
}

/**
 * Format and pixel size from the file's header, or why the file cannot be
 * shown: Chromium draws nothing for an image it cannot decode and reports no
 * error, so a damaged image would silently leave a hole in the PDF.
 */
function readImage(file: string): { ok: true; info: ImageInfo } | { ok: false; reason: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    return { ok: false, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'I/O error'})` };
  }
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    return { ok: false, reason: 'is not an image Colophon can read: the file is damaged or is not an image at all' };
  }
  if (!size.type) return { ok: false, reason: 'is not an image Colophon can read: the file is damaged or is not an image at all' };
  // Formats no edition can show are reported (as a warning) by the caller whatever their state.
  if (!PORTABLE_TYPES.has(size.type)) return { ok: true, info: { type: size.type } };
  if (size.type !== 'svg' && !(size.width && size.height)) {
    return { ok: false, reason: `is damaged: its ${size.type.toUpperCase()} header gives no size` };
  }
  const cut = truncation(bytes, size.type);
  if (cut) return { ok: false, reason: `is damaged: ${cut}` };
  if (!size.width || !size.height) return { ok: true, info: { type: size.type } };
  // EXIF orientations 5–8 rotate by 90°: the displayed box is transposed.
  const turned = size.orientation !== undefined && size.orientation >= 5;
  return { ok: true, info: { width: turned ? size.height : size.width, height: turned ? size.width : size.height, type: size.type } };
}

/** Files cut short by a failed copy or download: the data stops inside a declared block. */
function truncation(bytes: Buffer, type: string): string | undefined {
  if (type === 'png') {
    // Signature, then chunks (length, type, data, CRC) up to IEND.
    let at = 8;
    while (at + 8 <= bytes.length) {
      const length = bytes.readUInt32BE(at);
      const kind = bytes.toString('latin1', at + 4, at + 8);
      if (at + 12 + length > bytes.length) return `the PNG data stops in the middle of its ${kind} chunk (the file is cut short)`;
      if (kind === 'IEND') return undefined;
      at += 12 + length;
    }
    return at === bytes.length ? undefined : 'the PNG data stops in the middle of a chunk header (the file is cut short)';
  }
  if (type === 'jpg') {
    // The end-of-image marker; cameras may append data after it, so it is looked for anywhere past the start.
    return bytes.lastIndexOf(Buffer.from([0xff, 0xd9])) > 2 ? undefined : 'the JPEG data ends without its end-of-image marker (the file is cut short)';
  }
  return undefined;
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

      const image = readImage(absolute);
      if (!image.ok) {
        fail(node, 'IMAGE_UNREADABLE', `Image "${src}" ${image.reason}`, 'open it in an image editor and export it again as PNG, JPEG, GIF, WebP or SVG');
        continue;
      }

      const relative = path.relative(options.publicationDir, absolute).split(path.sep).join('/');
      node.properties.src = encodeURI(relative);
      if (!options.images.includes(absolute)) options.images.push(absolute);

      const size = image.info;
      if (size.width && size.height && node.properties.width === undefined && node.properties.height === undefined) {
        node.properties.width = size.width;
        node.properties.height = size.height;
      }
      if (!PORTABLE_TYPES.has(size.type)) {
        file.message(`Image "${src}" is in ${size.type.toUpperCase()} format`, {
          place: node.position,
          ruleId: 'IMAGE_FORMAT',
          source: 'colophon',
        }).note = 'convert it to PNG, JPEG, GIF, WebP or SVG so every edition can show it';
      }
    }
  };
}
