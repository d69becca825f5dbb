/**
 * The EPUB cover image, drawn from the theme's cover design in Chromium, so
 * every publication has a cover even when book.yaml names none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { closePage, openSandboxedPage, type BrowserSession } from '../browser.ts';

export const COVER_WIDTH = 1600;
export const COVER_HEIGHT = 2560;
/** Drawn covers are JPEG (a photograph-like image of any design, small). */
export const DRAWN_COVER_EXT = '.jpg';

export async function renderCoverImage(session: BrowserSession, htmlFile: string): Promise<Uint8Array> {
  const { page, report } = await openSandboxedPage(session, [path.dirname(htmlFile)]);
  try {
    await page.setViewport({ width: COVER_WIDTH, height: COVER_HEIGHT, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    await page.evaluate('document.fonts.ready.then(() => true)');
    const problems = [...report.failed, ...report.blocked, ...report.errors];
    if (problems.length) throw new Error(`The cover page could not load: ${problems.join(', ')}`);
    const jpeg = await page.screenshot({ type: 'jpeg', quality: 90, fullPage: false });
    return new Uint8Array(jpeg);
  } finally {
    await closePage(page);
  }
}

export function coverFromFile(abs: string): { data: Uint8Array; ext: string } {
  return { data: fs.readFileSync(abs), ext: coverFileExt(abs) };
}

/** The extension a cover file keeps in the outputs (.jpeg is written .jpg). */
export function coverFileExt(file: string): string {
  return path.extname(file).toLowerCase().replace('.jpeg', '.jpg');
}
