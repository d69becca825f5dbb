/**
 * The rehype-sanitize schema for chapter HTML: GitHub's default, narrowed to
 * what is valid in EPUB 3 XHTML and safe in every edition, and widened with
 * the semantic elements books use.
 */
import { defaultSchema, type Options as Schema } from 'rehype-sanitize';

type AttributeList = NonNullable<NonNullable<Schema['attributes']>[string]>;

/** Allowed on every element (names as hast properties). Presentational and form attributes are left out: EPUBCheck rejects them. */
const GLOBAL_ATTRIBUTES = [
  'abbr', 'alt', 'checked', 'colSpan', 'dateTime', 'dir', 'headers', 'height', 'hrefLang', 'id',
  'lang', 'open', 'reversed', 'rowSpan', 'scope', 'span', 'start', 'title', 'translate', 'value', 'width',
];

const EXTRA_TAGS = [
  'abbr', 'aside', 'bdi', 'bdo', 'caption', 'cite', 'col', 'colgroup', 'dfn', 'figcaption', 'figure',
  'mark', 'small', 'time', 'u', 'wbr',
];

/**
 * `picture`/`source` could load images that bypass the local-file check;
 * `strike` and `tt` are obsolete in HTML5 (their text is kept, the element dropped).
 */
const DROPPED_TAGS = new Set(['picture', 'source', 'strike', 'tt']);

/** Removed together with their contents (everything else unknown is unwrapped, keeping its text). */
const STRIPPED = [
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'noscript',
  'template', 'svg', 'form', 'textarea', 'select', 'title',
];

const withClass: AttributeList = ['className'];

/**
 * @param clobberPrefix Prefix for every `id` (and the ARIA references to ids),
 *   e.g. "ch-03-": ids in user HTML and GFM footnotes become unique across the
 *   book and cannot clobber DOM globals. Same-chapter `#fragment` links are
 *   rewritten to match by rehype-scope-fragments.
 */
export function chapterSchema(clobberPrefix: string): Schema {
  const defaults = defaultSchema.attributes ?? {};
  return {
    ...defaultSchema,
    tagNames: [...(defaultSchema.tagNames ?? []).filter((t) => !DROPPED_TAGS.has(t)), ...EXTRA_TAGS],
    strip: STRIPPED,
    attributes: {
      ...defaults,
      '*': GLOBAL_ATTRIBUTES,
      div: withClass,
      figure: withClass,
      p: withClass,
      span: withClass,
      // Renamed to a class by rehype-table-cells: `align` is obsolete in HTML5.
      td: ['align'],
      th: ['align'],
      h2: [['className', 'sr-only', 'footnotes-title']],
      bdo: ['dir'],
      time: ['dateTime'],
    },
    clobber: ['id', 'ariaDescribedBy', 'ariaLabelledBy'],
    clobberPrefix,
    protocols: {
      ...defaultSchema.protocols,
      href: ['http', 'https', 'mailto'],
    },
  };
}
