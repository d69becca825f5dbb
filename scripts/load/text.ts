/**
 * Source text handling shared by book.yaml and chapters: strict UTF-8 decoding
 * (with the position of the first bad byte), BOM and line-ending
 * normalisation, and splitting off the front matter block.
 */

export type Decoded = { ok: true; text: string } | { ok: false; offset: number; line: number; column: number };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, dropping a BOM and normalising CRLF (and lone CR) to LF. */
export function decodeSource(bytes: Uint8Array): Decoded {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, offset);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const line = before.filter((b) => b === 0x0a).length + 1;
    // Everything before the bad byte is valid, so its characters can be counted.
    const column = [...strictUtf8.decode(bytes.subarray(lineStart, offset))].length + 1;
    return { ok: false, offset, line, column };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text: text.replace(/\r\n?/g, '\n') };
}

/** Byte offset of the first byte that is not part of a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // beyond U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return bytes.length;
}

export type FrontMatterSplit =
  | { kind: 'none'; body: string; bodyStartLine: 1 }
  | { kind: 'unclosed' }
  | { kind: 'yaml'; yaml: string; body: string; bodyStartLine: number };

/**
 * A leading `---` line opens front matter and the next `---` line closes it
 * (as remark-frontmatter sees it). The YAML starts on line 2 of the file.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  if (!/^---[ \t]*(\n|$)/.test(text)) return { kind: 'none', body: text, bodyStartLine: 1 };
  const match = /^---[ \t]*\n(?:([\s\S]*?)\n)??---[ \t]*(?:\n|$)/.exec(text);
  if (!match) return { kind: 'unclosed' };
  const lines = match[0].split('\n').length - (match[0].endsWith('\n') ? 1 : 0);
  return { kind: 'yaml', yaml: match[1] ?? '', body: text.slice(match[0].length), bodyStartLine: lines + 1 };
}
