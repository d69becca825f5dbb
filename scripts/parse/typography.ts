/**
 * Language-aware smart punctuation on plain strings: curly quotes with
 * per-language nesting, en/em dashes and the ellipsis.
 *
 * A hand-written state machine rather than a library: the maintained options
 * (retext-smartypants, smartquotes, typographic-*) either know only English
 * quotes or work on a single string, while a chapter needs the nesting rules of
 * the language of each text node, with the quote state carried across inline
 * elements (`"*word*"`) and reset at block boundaries. The hast walking lives in
 * rehype-smart-punctuation.ts; this module is the string logic it drives.
 */
import { primarySubtag, regionSubtag } from './language.ts';

export interface QuoteStyle {
  /** Outer and inner quotation marks, [open, close]. */
  primary: readonly [string, string];
  secondary: readonly [string, string];
  /**
   * 'by-char': `"` gives the primary pair and `'` the secondary one (English
   * and German writers choose the level themselves).
   * 'by-depth': the level follows nesting whatever the straight mark, because
   * writers of Russian or French type `"` at every level.
   */
  nesting: 'by-char' | 'by-depth';
}

const ENGLISH: QuoteStyle = { primary: ['“', '”'], secondary: ['‘', '’'], nesting: 'by-char' };
const GERMAN: QuoteStyle = { primary: ['„', '“'], secondary: ['‚', '‘'], nesting: 'by-char' };
const SWISS: QuoteStyle = { primary: ['«', '»'], secondary: ['‹', '›'], nesting: 'by-depth' };
const RUSSIAN: QuoteStyle = { primary: ['«', '»'], secondary: ['„', '“'], nesting: 'by-depth' };
const FRENCH: QuoteStyle = { primary: ['«', '»'], secondary: ['“', '”'], nesting: 'by-depth' };

/** Cyrillic-script languages that follow the Russian convention. */
const RUSSIAN_LIKE = new Set(['ru', 'uk', 'be', 'kk', 'ky', 'tt', 'ba']);

/** Scripts whose punctuation we never touch (full-width marks are typed as intended). */
const UNTOUCHED = new Set(['zh', 'ja']);

const APOSTROPHE = '’';

/**
 * The quote style for a language, or null to leave straight quotes alone
 * (for languages whose convention we do not know, straight is safer than wrong).
 */
export function quoteStyleFor(lang: string): QuoteStyle | null {
  const primary = primarySubtag(lang);
  const region = regionSubtag(lang);
  if (primary === 'en') return ENGLISH;
  if (primary === 'de') return region === 'CH' || region === 'LI' ? SWISS : GERMAN;
  if (primary === 'fr') return region === 'CH' ? SWISS : FRENCH;
  if (RUSSIAN_LIKE.has(primary)) return RUSSIAN;
  return null;
}

export function leavesPunctuationAlone(lang: string): boolean {
  return UNTOUCHED.has(primarySubtag(lang));
}

/** URLs, `www.` hosts and mail addresses are left exactly as typed. */
const URL_LIKE =
  /(?:\b[a-z][a-z\d+.-]*:\/\/|\bwww\.|\bmailto:|[\w.+-]+@[\w-]+\.)[^\s<>"]*[^\s<>".,;:!?)\]'’”»]/i;

export function looksLikeUrl(text: string): boolean {
  const t = text.trim();
  const m = URL_LIKE.exec(t);
  return m !== null && m.index === 0 && m[0].length === t.length;
}

/** Every URL-like substring holds one of these: a cheap test first, as URL_LIKE backtracks at every word. */
const URL_HINT = /[:@]|www\./i;

/** [start, end) ranges of URL-like substrings. */
function urlRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  if (!URL_HINT.test(text)) return ranges;
  for (const m of text.matchAll(new RegExp(URL_LIKE, 'gi'))) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}

/** `---` → em dash, `--` → en dash, `...` → ellipsis; longer runs are left alone (rules, dot leaders). */
function dashesAndEllipses(text: string): string {
  return text
    // Two- and three-em dashes are in none of the theme's fonts; runs of em dashes draw the same.
    .replace(/\u2E3A/g, '——')
    .replace(/\u2E3B/g, '———')
    .replace(/(?<!-)---(?!-)/g, '—')
    .replace(/(?<!-)--(?!-)/g, '–')
    .replace(/(?<!\.)\.\.\.(?!\.)/g, '…');
}

/** Dashes and ellipses outside URL-like parts of `text`. */
export function smartDashes(text: string, lang: string): string {
  if (leavesPunctuationAlone(lang)) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of urlRanges(text)) {
    out += dashesAndEllipses(text.slice(at, start)) + text.slice(start, end);
    at = end;
  }
  return out + dashesAndEllipses(text.slice(at));
}

/** A piece of one block's text. Frozen pieces give context but are never changed. */
export interface Segment {
  value: string;
  lang: string;
  frozen?: boolean;
}

/** Stands in for inline code, images and the like: a word-like neighbour. */
export const OPAQUE = '\uFFFC';

const isSpace = (c: string | undefined): boolean => c === undefined || /\s/u.test(c);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}\p{M}\uFFFC]/u.test(c);
/** Characters after which a quote opens rather than closes. */
const opensAfter = (c: string | undefined): boolean => isSpace(c) || /[([{<‘“«„‚‹—–\-/]/u.test(c!);

interface OpenQuote {
  mark: '"' | "'";
  close: string;
}

/**
 * Curly quotes for a run of segments that belong to one block. Returns the new
 * value of each segment, in order.
 */
export function smartQuotes(segments: readonly Segment[]): string[] {
  const text = segments.map((s) => s.value).join('');
  // Most blocks of most books hold no straight quote: nothing to change.
  if (!text.includes('"') && !text.includes("'")) return segments.map((s) => s.value);
  const chars = text.split('');
  // Where each segment starts in `text`, and its URL-like parts (never changed).
  const starts: number[] = [];
  let length = 0;
  for (const seg of segments) {
    starts.push(length);
    length += seg.value.length;
  }
  const urls = segments.map((seg) => (seg.frozen ? [] : urlRanges(seg.value)));
  // The segment of a position, found by walking forward (positions only grow).
  let s = 0;
  const segmentAt = (i: number) => {
    while (s + 1 < segments.length && starts[s + 1] <= i) s++;
    return s;
  };

  const stack: OpenQuote[] = [];
  // Which marks this pass turned into opening quotes: glyphs alone cannot tell,
  // since German closes with “, the English opening mark.
  const opening: boolean[] = [];
  for (let i = 0; i < chars.length; i++) {
    const mark = chars[i];
    if (mark !== '"' && mark !== "'") continue;
    const k = segmentAt(i);
    const at = i - starts[k];
    if (segments[k].frozen || urls[k].some(([start, end]) => at >= start && at < end)) continue;
    const style = quoteStyleFor(segments[k].lang);
    if (!style) continue;
    const prev = i > 0 ? text[i - 1] : undefined;
    const next = text[i + 1];
    const afterOpening = prev === '"' || prev === "'" ? opening[i - 1] === true : opensAfter(prev);

    if (mark === "'" && isWordChar(prev) && isWordChar(next)) {
      chars[i] = APOSTROPHE; // don't, l'homme
      continue;
    }
    if (mark === "'" && afterOpening && /^\d\d(?!\d)/.test(text.slice(i + 1))) {
      chars[i] = APOSTROPHE; // '90s
      continue;
    }
    if (afterOpening && !isSpace(next)) {
      const level = style.nesting === 'by-char' ? (mark === '"' ? 0 : 1) : stack.length % 2;
      const pair = level === 0 ? style.primary : style.secondary;
      chars[i] = pair[0];
      opening[i] = true;
      stack.push({ mark, close: pair[1] });
      continue;
    }
    if (!isSpace(prev)) {
      const open = stack.map((q) => q.mark).lastIndexOf(mark);
      if (open >= 0) {
        chars[i] = stack[open]!.close;
        stack.length = open;
      } else if (mark === "'") {
        chars[i] = APOSTROPHE; // the dogs' bowls
      } else {
        chars[i] = style.nesting === 'by-char' || stack.length % 2 === 0 ? style.primary[1] : style.secondary[1];
      }
    }
    // A mark with space on both sides is left straight: there is no telling.
  }

  const out: string[] = [];
  let at = 0;
  for (const seg of segments) {
    out.push(seg.frozen ? seg.value : chars.slice(at, at + seg.value.length).join(''));
    at += seg.value.length;
  }
  return out;
}

/** Smart punctuation for a plain string such as a front-matter title. */
export function smartPunctuation(text: string, lang: string): string {
  if (leavesPunctuationAlone(lang)) return text;
  return smartDashes(smartQuotes([{ value: text, lang }])[0]!, lang);
}
