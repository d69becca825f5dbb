/**
 * The layout pages of a book's PDF editions, made ready (preparePage) while
 * Node still parses the chapters: Chromium boots and prepares them on the
 * other core, and the first parts are laid out as soon as their HTML is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closePage, type BrowserSession } from '../browser.ts';
import type { BuildContext } from '../context.ts';
import type { Publication } from '../model.ts';
import type { Edition } from '../render/page-css.ts';
import { preparePage, type SandboxedPage } from './paginate.ts';
import { makeWorkDir } from '../write/work-dir.ts';

export type WorkerPages = Partial<Record<Edition, Array<Promise<SandboxedPage | undefined>>>>;

/** The PDF editions the build makes. */
export function pdfEditions(ctx: Pick<BuildContext, 'formats'>): Edition[] {
  return (['screen', 'print'] as Edition[]).filter((e) => ctx.formats.has(e === 'screen' ? 'pdf' : 'print'));
}

/**
 * Parts laid out at once in each edition. The two PDF editions are made side
 * by side, sharing the cores: as fast as both with every core (measured on
 * the novel, 2 cores), with a fifth less memory, as half as many renderers are alive.
 */
export function workersPerEdition(editions: number): number {
  return Math.max(1, Math.floor(os.availableParallelism() / Math.max(1, editions)));
}

/** Chapters can be laid out apart only when each opens on a new page. */
export function laidOutInParts(ctx: Pick<BuildContext, 'parallel'>, pub: Pick<Publication, 'meta'>, chapters: number): boolean {
  return ctx.parallel && pub.meta.layout === 'book' && chapters > 1;
}

/**
 * Pages for the workers of each edition, in its folder under `work`; one that
 * fails to get ready is undefined. With `expected`, the parts each edition is
 * expected to lay out (after an edit, the chapters changed), no more pages
 * than that get ready: a page costs Chromium a renderer, a navigation and the
 * Paged.js bundle, on a core that a rebuild of one chapter needs. A worker
 * with no page ready opens its own (parts.ts).
 */
export function prepareWorkerPages(session: Promise<BrowserSession>, work: string, editions: Edition[], expected = Infinity): WorkerPages {
  const count = Math.min(workersPerEdition(editions.length), Math.max(1, expected));
  const pages: WorkerPages = {};
  for (const edition of editions) {
    pages[edition] = Array.from({ length: count }, () =>
      session.then((s) => preparePage(s, path.join(work, edition))).catch(() => undefined),
    );
  }
  return pages;
}

/**
 * A work folder and layout pages made ready in it before a build asks for
 * them: `colophon dev` makes them while it waits for the next edit, so the
 * rebuild's first chapter is laid out at once instead of after the pages get
 * ready (about 0.4 s). The pages have loaded nothing but Paged.js and our
 * scripts: nothing of an earlier build (fonts, stylesheets, images) is kept.
 * The build that takes them owns them (build.ts).
 */
export interface WarmStart {
  work: string;
  editions: Edition[];
  pages: WorkerPages;
}

export function prepareWarmStart(session: Promise<BrowserSession>, editions: Edition[]): WarmStart {
  const work = makeWorkDir();
  return { work, editions, pages: prepareWorkerPages(session, work, editions) };
}

/** Closes the pages no worker took and removes the work folder (once every page has settled: a page getting ready writes there). */
export async function disposeWorkerPages(pages: WorkerPages | undefined, work: string): Promise<void> {
  const tabs = await Promise.all(Object.values(pages ?? {}).flat());
  await Promise.all(tabs.map((tab) => tab && closePage(tab.page)));
  fs.rmSync(work, { recursive: true, force: true });
}
