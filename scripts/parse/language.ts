/**
 * Small BCP 47 helpers. Only the primary language and script subtags matter
 * here: they decide text direction and typographic conventions.
 */

/** Primary language subtags of languages written right to left by default. */
const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ug', 'ur', 'yi', 'ps', 'sd', 'ckb', 'dv']);

/** Script subtags that are right to left; an explicit script overrides the language default (e.g. "ug-Latn"). */
const RTL_SCRIPTS = new Set(['arab', 'hebr', 'thaa', 'syrc', 'nkoo', 'adlm', 'rohg', 'mand', 'samr']);

export function primarySubtag(lang: string): string {
  return lang.trim().split(/[-_]/)[0]!.toLowerCase();
}

function scriptSubtag(lang: string): string | undefined {
  return lang
    .trim()
    .split(/[-_]/)
    .slice(1)
    .find((part) => /^[a-z]{4}$/i.test(part))
    ?.toLowerCase();
}

export function regionSubtag(lang: string): string | undefined {
  return lang
    .trim()
    .split(/[-_]/)
    .slice(1)
    .find((part) => /^([a-z]{2}|\d{3})$/i.test(part))
    ?.toUpperCase();
}

export function isRtlLanguage(lang: string): boolean {
  const script = scriptSubtag(lang);
  if (script) return RTL_SCRIPTS.has(script);
  return RTL_LANGUAGES.has(primarySubtag(lang));
}

export function directionOf(lang: string): 'ltr' | 'rtl' {
  return isRtlLanguage(lang) ? 'rtl' : 'ltr';
}
