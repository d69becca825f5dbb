/**
 * Interface strings ("Notes", "Contents"…) per language, for stages that run
 * before the theme is loaded (the parse stage names the notes section).
 *
 * Same lookup as the theme loader in render/theme.ts: `templates/i18n/en.json`
 * is the base, `<primary subtag>.json` overrides it, and a publication may
 * override either file in its own `templates/i18n/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { primarySubtag } from '../parse/language.ts';
import { toolFile } from '../util/package-dir.ts';

const TOOL_TEMPLATES = toolFile('templates');

const cache = new Map<string, Record<string, string>>();

function readStrings(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

/** The first of the publication's and the tool's copy of `templates/i18n/<name>.json`. */
function lookup(name: string, publicationDir?: string): Record<string, string> {
  const own = publicationDir ? path.join(publicationDir, 'templates', 'i18n', name) : undefined;
  if (own && fs.existsSync(own)) return readStrings(own);
  return readStrings(path.join(TOOL_TEMPLATES, 'i18n', name));
}

/** Interface strings for a BCP 47 language, merged over English. */
export function interfaceStrings(lang: string, publicationDir?: string): Record<string, string> {
  const primary = primarySubtag(lang) || 'en';
  const key = `${publicationDir ?? ''}\0${primary}`;
  let strings = cache.get(key);
  if (!strings) {
    const base = lookup('en.json', publicationDir);
    // A language tag is user input: keep it to a plain file name.
    const own = /^[a-z]{2,8}$/.test(primary) && primary !== 'en' ? lookup(`${primary}.json`, publicationDir) : {};
    strings = { ...base, ...own };
    cache.set(key, strings);
  }
  return strings;
}

/** Heading of a chapter's notes section in its language ("Notes", "Примечания"…). */
export function notesLabel(lang: string, publicationDir?: string): string {
  return interfaceStrings(lang, publicationDir).notes || 'Notes';
}
