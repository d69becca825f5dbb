/**
 * Page geometry for the PDFs, from `book.yaml`'s `page:` settings. Generated
 * rather than templated because it mixes user lengths into @page rules.
 */
import type { BookMeta } from '../model.ts';

export type Edition = 'screen' | 'print';

/** A CSS string literal: content: "…" must not let a title close the rule. */
export function cssString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\A ')}"`;
}

export function pageCss(meta: BookMeta, edition: Edition): string {
  const { size, margins: m, bleed } = meta.page;
  // The whole sans stack: a running head repeats a chapter title, which may be in any script.
  const sans = `font-family: 'Noto Sans', 'Noto Naskh Arabic', 'Noto Serif SC';`;
  const folio = `content: var(--colophon-folio); ${sans} font-size: 8.5pt;`;
  const head = `${sans} font-size: 8pt; letter-spacing: 0.03em; color: #444;`;
  const none = `@top-left { content: none; } @top-right { content: none; } @top-center { content: none; } @bottom-center { content: none; }`;
  const rules = [
    `@page { size: ${size}; margin: ${m.top} ${m.outer} ${m.bottom} ${m.inner};` +
      (edition === 'print' ? ` bleed: ${bleed}; marks: crop;` : '') +
      ` @bottom-center { ${folio} } }`,
    `@page :left { margin-left: ${m.outer}; margin-right: ${m.inner};` +
      (meta.layout === 'book' ? ` @top-left { content: ${cssString(meta.title)}; ${head} }` : '') +
      ` }`,
    `@page :right { margin-left: ${m.inner}; margin-right: ${m.outer};` +
      (meta.layout === 'book' ? ` @top-right { content: string(chapter-title); ${head} }` : '') +
      ` }`,
    `@page cover { margin: 0; ${none} }`,
    `@page front { ${none} }`,
    `@page contents { @top-left { content: none; } @top-right { content: none; } @bottom-center { ${folio} } }`,
    `@page chapter:first { ${none} }`,
    `@page opening:first { ${none} }`,
    `@page :blank { ${none} }`,
  ];
  // Numbering (roman front matter, arabic from the first chapter) is set by the
  // Paged.js handler in paginate/in-page/handlers.js.
  return rules.join('\n') + '\n';
}
