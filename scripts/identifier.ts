/**
 * A stable identifier for a publication: the one in book.yaml, an ISBN URN, or
 * a name-based UUID (RFC 9562 version 5 layout over SHA-1) derived from the
 * slug, so rebuilds never change it.
 */
import { createHash } from 'node:crypto';
import type { BookMeta } from './model.ts';

export function uuidFromName(name: string): string {
  const h = createHash('sha1').update(`colophon:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function publicationIdentifier(meta: BookMeta): string {
  if (meta.identifier) return meta.identifier;
  if (meta.isbn) return `urn:isbn:${meta.isbn.replace(/[^0-9Xx]/g, '')}`;
  return `urn:uuid:${uuidFromName(meta.slug)}`;
}
