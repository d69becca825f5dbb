/**
 * Print boxes: every page of the print PDF needs a TrimBox (the cut page) and
 * a BleedBox, and the MediaBox must be the trim size plus the bleed on each
 * side. Boxes are read from each page's own dictionary: pdf-lib's getters fall
 * back to the MediaBox, which would hide a missing box.
 */
import { PDFArray, PDFName, PDFNumber, type PDFDocument, type PDFPage } from 'pdf-lib';
import type { CheckResult } from './types.ts';

/** Half a point: the rounding of CSS pixels to points in Chromium's output. */
const TOLERANCE = 0.5;

type Box = [number, number, number, number];

function box(page: PDFPage, name: string): Box | undefined {
  const arr = page.node.lookupMaybe(PDFName.of(name), PDFArray);
  if (!arr || arr.size() !== 4) return undefined;
  const nums = arr.asArray().map((o) => (o instanceof PDFNumber ? o.asNumber() : NaN));
  if (nums.some(Number.isNaN)) return undefined;
  // Normalise so that [x1 y1 x2 y2] has x1 < x2 and y1 < y2, whichever corners were written.
  const [a, b, c, d] = nums;
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

function mediaBox(page: PDFPage): Box {
  const { x, y, width, height } = page.getMediaBox();
  return [x, y, x + width, y + height];
}

const near = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE;
const fmt = (n: number) => `${Math.round(n * 10) / 10}`;

/** The problem with one page's boxes, or undefined when they are right. */
function pageProblem(page: PDFPage, bleed: number | undefined): string | undefined {
  const trim = box(page, 'TrimBox');
  const bleedBox = box(page, 'BleedBox');
  if (!trim) return 'no TrimBox';
  if (!bleedBox) return 'no BleedBox';
  const media = mediaBox(page);
  const insets = [trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3]];
  const want = bleed ?? insets[0];
  if (!insets.every((i) => near(i, want))) {
    return `MediaBox is not TrimBox + ${fmt(want)} pt on every side (insets ${insets.map(fmt).join(', ')} pt)`;
  }
  if (bleedBox.some((v, i) => (i < 2 ? v < media[i] - TOLERANCE || v > trim[i] + TOLERANCE : v > media[i] + TOLERANCE || v < trim[i] - TOLERANCE))) {
    return 'BleedBox does not lie between TrimBox and MediaBox';
  }
  return undefined;
}

/** `bleed` in points when the book's setting is known; otherwise the four insets need only agree. */
export function checkPrintBoxes(doc: PDFDocument, name: string, bleed?: number): CheckResult {
  const pages = doc.getPages();
  const problems = pages.map((p, i) => ({ page: i + 1, problem: pageProblem(p, bleed) })).filter((p) => p.problem);
  if (problems.length) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more page(s))` : '';
    return { file: name, check: 'print boxes', ok: false, detail: `page ${first.page}: ${first.problem}${more}` };
  }
  const trim = pages[0] && box(pages[0], 'TrimBox');
  const media = pages[0] && mediaBox(pages[0]);
  const detail = trim && media
    ? `TrimBox/BleedBox on all ${pages.length} pages; bleed ${fmt(trim[0] - media[0])} pt${bleed === undefined ? '' : ' as in book.yaml'}`
    : 'no pages';
  return { file: name, check: 'print boxes', ok: pages.length > 0, detail };
}
