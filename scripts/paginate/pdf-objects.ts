/**
 * Reads where the objects of a PDF are and what each refers to, without
 * parsing them, for PDFs as Chromium prints them: one revision, a classic
 * cross-reference table, plain objects. Merging cached chunks copies most of
 * their objects (the structure elements, fonts, page contents) as they are,
 * with references renumbered (pdf-splice.ts); pdf-lib can copy an object only
 * by parsing it, which was most of the time an edit rebuild spent in Node.
 * The tokenizer is written here because no library exposes one that reports
 * byte positions; it knows only what finding references needs (strings,
 * names, comments, numbers, the keywords `R` and `stream`). A PDF in any
 * other form is refused with an error, and the merge falls back to pdf-lib.
 */

/** One object of the file: its body (between `obj` and `endobj`) and the references in it. */
export interface ObjectSpan {
  num: number;
  start: number;
  end: number;
  /** Where the `stream` keyword starts, or `end` for an object without a stream. */
  dictEnd: number;
  /** The references in the object (before its stream), by position in `PdfObjects.refs`. */
  refFrom: number;
  refTo: number;
  /** It has an /ID or /Headers key: element ids that a merge must rename. */
  names: boolean;
}

export interface PdfObjects {
  bytes: Uint8Array;
  root: number;
  objects: Map<number, ObjectSpan>;
  /** Triples: the referenced object's number, then the byte range of `num gen` (the ` R` after it is left). */
  refs: Int32Array;
}

const WHITE = 1;
const DELIMITER = 2;
const KIND = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) KIND[c] = WHITE;
for (const c of '()<>[]{}/%') KIND[c.charCodeAt(0)] = DELIMITER;

const ascii = (b: Uint8Array, from: number, to: number) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', from, to);

/** `b[i, i + word.length)` is `word` (ASCII). */
function isWord(b: Uint8Array, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** A PDF this reader does not take; the merge uses pdf-lib for it instead. */
export class UnreadablePdf extends Error {
  constructor(what: string) {
    super(`Not a PDF the byte-level merge reads: ${what}.`);
  }
}

function fail(what: string): never {
  throw new UnreadablePdf(what);
}

/** The position after a literal string starting at `i` (its parentheses may nest; a backslash escapes the next byte). */
function skipString(b: Uint8Array, i: number, end: number): number {
  let depth = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0x5c) i++;
    else if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return i + 1;
  }
  return fail('a string runs past the end of its object');
}

class RefList {
  data = new Int32Array(4096);
  length = 0;
  push(num: number, from: number, to: number): void {
    if (this.length + 3 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = num;
    this.data[this.length++] = from;
    this.data[this.length++] = to;
  }
}

/** Finds the references in `b[start, end)`, up to a `stream` keyword, whose position it returns (or `end`). */
function scan(b: Uint8Array, start: number, end: number, refs: RefList, span: { names: boolean }): number {
  // The last two tokens, while they are unsigned integers: `num gen R` is a reference.
  let ints = 0;
  let firstStart = 0;
  let firstValue = 0;
  let lastStart = 0;
  let lastValue = 0;
  let lastEnd = 0;
  let i = start;
  while (i < end) {
    const c = b[i];
    const kind = KIND[c];
    if (kind === WHITE) {
      i++;
      continue;
    }
    if (kind === DELIMITER) {
      ints = 0;
      if (c === 0x28) i = skipString(b, i, end);
      else if (c === 0x3c && b[i + 1] === 0x3c) i += 2;
      else if (c === 0x3c) {
        // A hex string.
        while (i < end && b[i] !== 0x3e) i++;
        i++;
      } else if (c === 0x2f) {
        let j = i + 1;
        while (j < end && KIND[b[j]] === 0) j++;
        const n = j - i - 1;
        if ((n === 2 && b[i + 1] === 0x49 && b[i + 2] === 0x44) || (n === 7 && isWord(b, i + 1, 'Headers'))) span.names = true;
        i = j;
      } else if (c === 0x25) {
        while (i < end && b[i] !== 0x0a && b[i] !== 0x0d) i++;
      } else i++;
      continue;
    }
    let j = i;
    let value = 0;
    let digits = true;
    while (j < end && KIND[b[j]] === 0) {
      const d = b[j] - 48;
      if (d < 0 || d > 9) digits = false;
      else value = value * 10 + d;
      j++;
    }
    if (digits) {
      firstStart = lastStart;
      firstValue = lastValue;
      lastStart = i;
      lastValue = value;
      lastEnd = j;
      ints = ints < 2 ? ints + 1 : 2;
    } else {
      if (ints === 2 && j - i === 1 && c === 0x52) refs.push(firstValue, firstStart, lastEnd);
      else if (j - i === 6 && isWord(b, i, 'stream')) return i;
      ints = 0;
    }
    i = j;
  }
  return end;
}

const isWhite = (c: number) => KIND[c] === WHITE;

// The two searches below run once per object (tens of thousands in a book's chunks), where
// Buffer's indexOf with a string argument cost more in its call than in its search.

/** Where the body of object `num` starts, if its header `num gen obj` is at `i` (and ends before `limit`); else -1. */
function bodyStart(b: Uint8Array, i: number, limit: number, num: number): number {
  let value = 0;
  const from = i;
  while (i < limit && b[i] >= 0x30 && b[i] <= 0x39) value = value * 10 + b[i++] - 0x30;
  if (i === from || value !== num || i >= limit || !isWhite(b[i])) return -1;
  while (i < limit && isWhite(b[i])) i++;
  const gen = i;
  while (i < limit && b[i] >= 0x30 && b[i] <= 0x39) i++;
  if (i === gen || i >= limit || !isWhite(b[i])) return -1;
  while (i < limit && isWhite(b[i])) i++;
  return i + 3 <= limit && isWord(b, i, 'obj') ? i + 3 : -1;
}

/** Where the last `endobj` that ends before `limit` starts, searching back to `floor`; -1 if none. */
function lastEndobj(b: Uint8Array, floor: number, limit: number): number {
  for (let i = limit - 6; i >= floor; i--) if (b[i] === 0x65 && isWord(b, i, 'endobj')) return i;
  return -1;
}

/** The objects of a PDF printed by Chromium (see above); throws for any other. */
export function readObjects(bytes: Uint8Array): PdfObjects {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const startxref = buf.lastIndexOf('startxref');
  if (startxref < 0) fail('no startxref');
  const xrefAt = Number(/^\s*(\d+)/.exec(ascii(bytes, startxref + 9, Math.min(startxref + 40, bytes.length)))?.[1] ?? NaN);
  if (!(xrefAt >= 0 && xrefAt < startxref) || ascii(bytes, xrefAt, xrefAt + 4) !== 'xref') fail('no cross-reference table');
  const trailerAt = buf.indexOf('trailer', xrefAt);
  if (trailerAt < 0) fail('no trailer');
  const trailer = ascii(bytes, trailerAt, startxref);
  if (/\/(Prev|Encrypt|XRefStm)\b/.test(trailer)) fail('an encrypted or updated file');
  const root = /\/Root\s+(\d+)\s+\d+\s+R/.exec(trailer);
  if (!root) fail('no /Root in the trailer');

  // The table: subsections of `first count`, then 20-byte entries `offset gen n|f`.
  const table = ascii(bytes, xrefAt + 4, trailerAt).trim().split(/\s+/);
  const offsets: Array<[number, number]> = [];
  for (let t = 0; t < table.length; ) {
    const first = Number(table[t++]);
    const count = Number(table[t++]);
    if (!Number.isInteger(first) || !Number.isInteger(count) || t + 3 * count > table.length) fail('a damaged cross-reference table');
    for (let k = 0; k < count; k++, t += 3) if (table[t + 2] === 'n') offsets.push([first + k, Number(table[t])]);
  }
  offsets.sort((a, b) => a[1] - b[1]);

  const refs = new RefList();
  const objects = new Map<number, ObjectSpan>();
  for (let k = 0; k < offsets.length; k++) {
    const [num, offset] = offsets[k];
    const next = k + 1 < offsets.length ? offsets[k + 1][1] : xrefAt;
    let start = bodyStart(bytes, offset, next, num);
    if (start < 0) fail(`object ${num} is not where the table says`);
    let end = lastEndobj(bytes, start, next);
    if (end < start) fail(`object ${num} has no endobj`);
    while (start < end && isWhite(bytes[start])) start++;
    while (end > start && isWhite(bytes[end - 1])) end--;
    const span: ObjectSpan = { num, start, end, dictEnd: end, refFrom: refs.length, refTo: 0, names: false };
    span.dictEnd = scan(bytes, start, end, refs, span);
    span.refTo = refs.length;
    objects.set(num, span);
  }
  return { bytes, root: Number(root[1]), objects, refs: refs.data };
}

/** The numbers of the objects `span` refers to. */
export function referencesOf(pdf: PdfObjects, span: ObjectSpan): number[] {
  const out: number[] = [];
  for (let r = span.refFrom; r < span.refTo; r += 3) out.push(pdf.refs[r]);
  return out;
}

/**
 * The object's bytes up to its stream (all of them without one) with each
 * reference renumbered by `to` (generation 0); the stream, from its keyword
 * to `endstream`, is left to be copied as it is.
 */
export function renumbered(pdf: PdfObjects, span: ObjectSpan, to: (num: number) => number): Uint8Array {
  const { bytes, refs } = pdf;
  if (span.refFrom === span.refTo) return bytes.subarray(span.start, span.dictEnd);
  const numbers: string[] = [];
  let size = span.dictEnd - span.start;
  for (let r = span.refFrom; r < span.refTo; r += 3) {
    const n = `${to(refs[r])} 0`;
    numbers.push(n);
    size += n.length - (refs[r + 2] - refs[r + 1]);
  }
  const out = new Uint8Array(size);
  let o = 0;
  let at = span.start;
  for (let r = span.refFrom, k = 0; r < span.refTo; r += 3, k++) {
    out.set(bytes.subarray(at, refs[r + 1]), o);
    o += refs[r + 1] - at;
    const n = numbers[k];
    for (let d = 0; d < n.length; d++) out[o++] = n.charCodeAt(d);
    at = refs[r + 2];
  }
  out.set(bytes.subarray(at, span.dictEnd), o);
  return out;
}
