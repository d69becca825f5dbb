/**
 * Images for the EPUB: local files only (the parser already refuses others),
 * scaled down to at most 4 megapixels (Apple Books' limit; larger images
 * only cost readers memory) and recompressed. sharp (libvips) is
 * deterministic for a given input and version, and writes no metadata, so
 * the EPUB stays byte-reproducible.
 */
import type { Element, Root } from 'hast';
import type { Sharp } from 'sharp';
import { visit } from 'unist-util-visit';
import type { EpubAsset } from './epub.ts';

export const MAX_PIXELS = 4_000_000;

export interface PreparedImages {
  assets: EpubAsset[];
  /** New pixel size of each image that was scaled down, by href. */
  resized: Map<string, { width: number; height: number }>;
}

export async function prepareImages(images: EpubAsset[]): Promise<PreparedImages> {
  const assets: EpubAsset[] = [];
  const resized = new Map<string, { width: number; height: number }>();
  if (!images.length) return { assets, resized };
  // Loaded only for a book with images: libvips takes a tenth of a second to load.
  const { default: sharp } = await import('sharp');
  for (const asset of images) {
    const { href, mediaType } = asset;
    const original = Buffer.from(asset.data);
    if (mediaType !== 'image/png' && mediaType !== 'image/jpeg') {
      assets.push(asset);
      continue;
    }
    const meta = await sharp(original).metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    let image = sharp(original).autoOrient();
    let data: Buffer;
    if (width && height && width * height > MAX_PIXELS) {
      const scale = Math.sqrt(MAX_PIXELS / (width * height));
      const size = { width: Math.floor(width * scale), height: Math.floor(height * scale) };
      image = image.resize(size.width, size.height, { fit: 'fill' });
      resized.set(href, size);
      data = await encode(image, mediaType);
    } else {
      // Recompress losslessly (PNG) and keep whichever is smaller; a JPEG is not decoded
      // and encoded again, which would only lose quality.
      data = mediaType === 'image/png' ? await encode(image, mediaType) : original;
      if (data.length >= original.length) data = original;
    }
    assets.push({ href, mediaType, data: new Uint8Array(data) });
  }
  return { assets, resized };
}

function encode(image: Sharp, mediaType: string): Promise<Buffer> {
  return mediaType === 'image/png'
    ? image.png({ compressionLevel: 9, adaptiveFiltering: true, effort: 10 }).toBuffer()
    : image.jpeg({ quality: 85, mozjpeg: true }).toBuffer();
}

/** Width and height attributes follow a scaled-down image (the aspect ratio is unchanged). */
export function applyImageSizes(tree: Root, resized: Map<string, { width: number; height: number }>): Root {
  if (!resized.size) return tree;
  visit(tree, 'element', (node: Element) => {
    const size = node.tagName === 'img' && typeof node.properties.src === 'string' ? resized.get(node.properties.src) : undefined;
    if (size) {
      node.properties.width = size.width;
      node.properties.height = size.height;
    }
  });
  return tree;
}
