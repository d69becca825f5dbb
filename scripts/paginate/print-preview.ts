/**
 * The print preview of `colophon dev`: the screen PDF's HTML as one document,
 * paginated by Paged.js in the reader's own browser, with the same handlers
 * (keeping lines together, repeated table headers, page numbers, contents and
 * cross-reference numbers) that the PDF build runs. Nothing here runs in a
 * build for publication; it is written only when a preview is asked for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OUR_SCRIPTS, PAGED_SCRIPT } from './paginate.ts';
import { writePrintDocument, type PdfEditionInput } from './pdf-edition.ts';
import { placeFile } from '../write/place-file.ts';

/** How the paginated pages sit on a screen: grey desk, pages side by side as spreads, a shadow. */
const SCREEN_CSS = `@media screen {
  html { background: #6b6b6b; }
  body { margin: 0; }
  .pagedjs_pages { display: flex; flex-wrap: wrap; justify-content: center; gap: 24px 0; padding: 24px 0; width: calc(var(--pagedjs-width) * 2); margin: 0 auto; }
  .pagedjs_page { background: white; box-shadow: 0 2px 12px rgba(0, 0, 0, 0.4); flex: none; }
  .pagedjs_first_page { margin-left: var(--pagedjs-width); }
  .colophon-preview-status { position: fixed; top: 8px; right: 12px; z-index: 10; font: 13px/1.4 system-ui, sans-serif; background: #222; color: #fff; padding: 4px 10px; border-radius: 4px; }
}
`;

/** Writes the preview into `input.dir` (index.html, assets/, scripts/). */
export function writePrintPreview(input: Omit<PdfEditionInput, 'browser' | 'date' | 'pdfWorker'>): void {
  const render = writePrintDocument(input);
  const scripts = path.join(input.dir, 'scripts');
  fs.mkdirSync(scripts, { recursive: true });
  placeFile(PAGED_SCRIPT, path.join(scripts, 'paged.polyfill.js'));
  for (const file of OUR_SCRIPTS) fs.copyFileSync(file, path.join(scripts, path.basename(file)));
  fs.writeFileSync(path.join(input.dir, 'assets', 'preview.css'), SCREEN_CSS);
  // Paged.js starts by itself once the document has loaded; our handlers
  // register with it first, as in the PDF build. The status line says how far it has come.
  const head = [
    // No favicon request: the preview has none.
    '<link rel="icon" href="data:,">',
    '<link rel="stylesheet" href="assets/preview.css">',
    // As in the PDF build, layout waits for the fonts: lines measured in a fallback font would break differently.
    `<script>window.PagedConfig = { auto: true, before: () => new Promise((done) => (document.readyState === 'complete' ? done() : window.addEventListener('load', () => done()))).then(() => document.fonts.ready).then(() => undefined) };</script>`,
    '<script src="scripts/paged.polyfill.js"></script>',
    ...OUR_SCRIPTS.map((f) => `<script src="scripts/${path.basename(f)}"></script>`),
    `<script>${STATUS_SCRIPT}</script>`,
  ].join('\n');
  const html = render(true, input.chapters).replace('</head>', `${head}\n</head>`);
  fs.writeFileSync(path.join(input.dir, 'index.html'), html);
}

const STATUS_SCRIPT = `(() => {
  const status = document.createElement('div');
  status.className = 'colophon-preview-status';
  status.setAttribute('role', 'status');
  status.textContent = 'Paginating…';
  let pages = 0;
  class ColophonPreviewStatus extends Paged.Handler {
    afterPageLayout() { status.textContent = 'Paginating… ' + (++pages) + ' pages'; }
    afterRendered(list) { status.textContent = list.length + ' pages'; document.documentElement.dataset.previewPages = String(list.length); }
  }
  Paged.registerHandlers(ColophonPreviewStatus);
  document.addEventListener('DOMContentLoaded', () => document.documentElement.appendChild(status));
})();`;
