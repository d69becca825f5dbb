/**
 * Reproducible EPUB container: `mimetype` first and stored (EPUB 3.3 OCF
 * requires it uncompressed and first), then every entry in sorted path order
 * with one fixed timestamp, so identical input gives identical bytes.
 */
import JSZip from 'jszip';

export async function reproducibleZip(files: Map<string, Uint8Array | string>, buildDate: Date): Promise<Uint8Array> {
  // Zip (MS-DOS) timestamps run from 1980 to 2107: a book dated 1813 would wrap to 2069.
  const date = new Date(Math.min(Math.max(buildDate.getTime(), DOS_EPOCH), DOS_END));
  const zip = new JSZip();
  zip.file('mimetype', 'application/epub+zip', { compression: 'STORE', date });
  const names = [...files.keys()].filter((n) => n !== 'mimetype').sort();
  for (const name of names) {
    zip.file(name, files.get(name)!, { date, compression: 'DEFLATE', createFolders: false });
  }
  return zip.generateAsync({
    type: 'uint8array',
    mimeType: 'application/epub+zip',
    compressionOptions: { level: 9 },
    platform: 'UNIX',
  });
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
