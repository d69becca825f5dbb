/**
 * Soft hyphens for the print edition. Headless Chromium on Linux ships no
 * hyphenation dictionaries, so `hyphens: auto` does nothing; instead we
 * insert U+00AD at build time with TeX's patterns (the `hyphen` package) for
 * the language of each passage. Code, URLs, CJK and Arabic-script text are
 * never touched. Languages without patterns (Kazakh, for one) stay unhyphenated.
 */
import { createRequire } from 'node:module';
import type { Element, Root, Text } from 'hast';

const require = createRequire(import.meta.url);

type Hyphenator = (text: string, options?: { minWordLength?: number }) => string;

/** BCP 47 primary tag (or full tag) → pattern module of the `hyphen` package. */
const PATTERNS: Record<string, string> = {
  en: 'en-us',
  'en-us': 'en-us',
  'en-gb': 'en-gb',
  ru: 'ru',
  uk: 'uk',
  be: 'be',
  bg: 'bg',
  de: 'de-1996',
  fr: 'fr',
  es: 'es',
  it: 'it',
  pt: 'pt',
  pl: 'pl',
  cs: 'cs',
  nl: 'nl',
  sv: 'sv',
  da: 'da',
  nb: 'nb',
  fi: 'fi',
  tr: 'tr',
  mn: 'mn-cyrl',
};

export function patternFor(lang: string): string | undefined {
  const l = lang.toLowerCase();
  return PATTERNS[l] ?? PATTERNS[l.split('-')[0]];
}

const SKIP = new Set(['code', 'pre', 'kbd', 'samp', 'script', 'style', 'svg', 'math', 'var']);
const URLISH = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.|\S+@\S+\.\S+|\S+\/\S+|\S+\.(?:md|yaml|html|pdf|epub|png|jpg)\b)/i;

/**
 * Words already hyphenated, by pattern: a book repeats its words, and the
 * patterns cost far more than a lookup (the novel's print chapters were
 * hyphenated in a third of the time). One per build, passed from chapter to chapter.
 */
export type HyphenationMemo = Map<string, Map<string, string>>;

export function hyphenateTree(tree: Root, defaultLang: string, memo: HyphenationMemo = new Map()): Root {
  const cache = new Map<string, Hyphenator | null>();
  const hyphenatorFor = (lang: string): Hyphenator | null => {
    const key = patternFor(lang);
    if (!key) return null;
    if (!cache.has(key)) {
      const hyphenate = (require(`hyphen/${key}`) as { hyphenateSync: Hyphenator }).hyphenateSync;
      let words = memo.get(key);
      if (!words) memo.set(key, (words = new Map()));
      const known = words;
      cache.set(key, (word) => {
        let done = known.get(word);
        if (done === undefined) known.set(word, (done = hyphenateWord(word, hyphenate)));
        return done;
      });
    }
    return cache.get(key)!;
  };
  const walk = (node: Root | Element, lang: string): void => {
    for (const child of node.children) {
      if (child.type === 'element') {
        if (SKIP.has(child.tagName)) continue;
        if (child.tagName === 'a' && typeof child.properties.href === 'string' && !child.properties.href.startsWith('#')) continue;
        const l = typeof child.properties.lang === 'string' ? child.properties.lang : lang;
        walk(child, l);
      } else if (child.type === 'text') {
        hyphenateText(child, hyphenatorFor(lang));
      }
    }
  };
  walk(tree, defaultLang);
  return tree;
}

function hyphenateText(node: Text, hyphenate: Hyphenator | null): void {
  if (!hyphenate) return;
  // Word by word, so that URL-like tokens and non-alphabetic scripts stay whole.
  node.value = node.value.replace(/\S+/g, hyphenate);
}

function hyphenateWord(word: string, hyphenate: Hyphenator): string {
  return URLISH.test(word) || !/\p{L}{6,}/u.test(word) || /[\p{Script=Han}\p{Script=Arabic}\p{Script=Hebrew}]/u.test(word)
    ? word
    : hyphenate(word, { minWordLength: 6 });
}
