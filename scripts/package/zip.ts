/**
 * Reproducible EPUB container: `mimetype` first and stored (EPUB 3.3 OCF
 * requires it uncompressed and first, with no extra field), then every entry
 * in sorted path order with one fixed timestamp, so identical input gives
 * identical bytes. yazl writes it: it deflates with Node's zlib, in the
 * thread pool, where JSZip's pako took a third of the EPUB's packaging time.
 */
import type JSZip from 'jszip';
import { ZipFile } from 'yazl';

export async function reproducibleZip(files: Map<string, Uint8Array | string>, buildDate: Date): Promise<Uint8Array> {
  // Zip (MS-DOS) timestamps run from 1980 to 2107: a book dated 1813 would wrap to 2069.
  const utc = new Date(Math.min(Math.max(buildDate.getTime(), DOS_EPOCH), DOS_END));
  // yazl writes the DOS fields in local time: a date whose local fields are the UTC ones keeps the
  // archive the same in every time zone (JSZip, before it, wrote UTC too).
  const mtime = new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds());
  // The DOS timestamp alone: no Info-ZIP time field, which the mimetype entry must not have.
  const common = { mtime, mode: 0o100664, forceDosTimestamp: true };
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from('application/epub+zip'), 'mimetype', { ...common, compress: false });
  const names = [...files.keys()].filter((n) => n !== 'mimetype').sort();
  for (const name of names) {
    const data = files.get(name)!;
    zip.addBuffer(typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength), name, { ...common, compressionLevel: 9 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const DOS_EPOCH = Date.UTC(1980, 0, 1);
const DOS_END = Date.UTC(2107, 11, 31);

/** Every file of a JSZip archive, as bytes, by path. */
export async function zipEntries(zip: JSZip): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [name, entry] of Object.entries(zip.files)) {
    if (entry.dir) continue;
    out.set(name, await entry.async('uint8array'));
  }
  return out;
}
