/** A build's work folder for one publication (the HTML laid out, its assets); removed when the publication is built. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function makeWorkDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'colophon-work-'));
}
