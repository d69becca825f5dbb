/**
 * The faces a layout loads before Paged.js starts: the families that draw
 * each character in the stacks of base.css, and in a real page, only those.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSS_STACKS, languagesOf, planFontLoads, type FontPlan } from '../scripts/fonts/font-plan.ts';
import { codePointsOf, fontFaceCss, readFontFaces, selectFaces, type FontFace, type FontFamilySpec } from '../scripts/fonts/font-faces.ts';
import { launchBrowser, type BrowserSession } from '../scripts/browser.ts';
import { PaginationError, layOut, preparePage, readPageMap } from '../scripts/paginate/paginate.ts';
import type { ParsedChapter } from '../scripts/model.ts';
import { ROOT, tempDir } from './helpers/build.ts';

const themeFonts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'theme.json'), 'utf8')) as { fonts: FontFamilySpec[] }).fonts;
const FACES = themeFonts.flatMap(readFontFaces);
const SERIF = 'Noto Serif';
const CJK = 'Noto Serif SC';

const has = (plan: FontPlan, family: string, cp: number) => (plan[family] ?? []).some(([a, b]) => a <= cp && cp <= b);

describe('the font stacks the plan follows', () => {
  it('are those of templates/css/base.css', () => {
    const css = fs.readFileSync(path.join(ROOT, 'templates', 'css', 'base.css'), 'utf8');
    for (const [name, families] of Object.entries(CSS_STACKS)) {
      const declared = new RegExp(`--font-${name}:\\s*([^;]+);`).exec(css)?.[1];
      expect(declared, `--font-${name}`).toBeDefined();
      expect(declared!.split(',').map((f) => f.trim().replace(/^'|'$/g, ''))).toEqual(families);
    }
  });
});

describe('planFontLoads', () => {
  it('gives Latin text to the Latin families alone, though the Chinese subsets cover it too', () => {
    const cps = codePointsOf(['A plain English sentence — with “quotes”.']);
    const faces = selectFaces(FACES, cps);
    // What fonts.css lists: every Chinese subset that overlaps ASCII.
    expect(faces.filter((f) => f.family === CJK).length).toBeGreaterThan(10);
    const plan = planFontLoads(faces, cps, ['en']);
    for (const cp of cps) expect(has(plan, SERIF, cp), String.fromCodePoint(cp)).toBe(true);
    expect(has(plan, 'Noto Sans', 0x61)).toBe(true);
    expect(has(plan, 'Noto Sans Mono', 0x61)).toBe(true);
    expect(has(plan, CJK, 0x61)).toBe(false);
    expect(has(plan, 'Noto Naskh Arabic', 0x61)).toBe(false);
  });

  it('gives Chinese to the Chinese family, and ASCII too once Chinese text is in the book (its stack puts that family first)', () => {
    const cps = codePointsOf(['An English sentence quoting 中文 text.']);
    const faces = selectFaces(FACES, cps);
    const plan = planFontLoads(faces, cps, ['en', 'zh']);
    expect(has(plan, CJK, 0x4e2d)).toBe(true);
    expect(has(plan, CJK, 0x61)).toBe(true);
    expect(has(plan, SERIF, 0x4e2d)).toBe(false);
    // Without a Chinese language in the book, the characters still go to the one family that draws them.
    expect(has(planFontLoads(faces, cps, ['en']), CJK, 0x4e2d)).toBe(true);
    expect(has(planFontLoads(faces, cps, ['en']), CJK, 0x61)).toBe(false);
  });

  it('gives Uyghur to the Arabic-script family', () => {
    const cps = codePointsOf(['ئۇيغۇر']);
    const plan = planFontLoads(selectFaces(FACES, cps), cps, ['en', 'ug']);
    expect(has(plan, 'Noto Naskh Arabic', 0x626)).toBe(true);
    expect(has(plan, 'Noto Naskh Arabic', 0x61)).toBe(true);
  });

  it('gives a character no family draws to every family of a stack that covers it', () => {
    // U+2E3A (two-em dash): in the unicode-range of some subsets, in no font.
    const cps = new Set([0x2e3a]);
    const faces = FACES.filter((f) => f.ranges.some(([a, b]) => a <= 0x2e3a && 0x2e3a <= b));
    const plan = planFontLoads(faces, cps, ['en']);
    const families = new Set(faces.map((f) => f.family));
    for (const family of families) expect(has(plan, family, 0x2e3a), family).toBe(true);
  });
});

describe('a kept plan', () => {
  it('is read back for the same faces, characters and languages, and made again for others', () => {
    const dir = tempDir();
    const writes: Array<() => void> = [];
    const cache = { dir, keep: (write: () => void) => void writes.push(write) };
    const cps = codePointsOf(['Kept plans.']);
    const faces = selectFaces(FACES, cps);
    const plan = planFontLoads(faces, cps, ['en'], cache);
    expect(fs.readdirSync(dir)).toEqual([]);
    for (const write of writes) write();
    const [entry] = fs.readdirSync(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, entry), 'utf8'))).toEqual(plan);
    // What is kept is what comes back: a marked entry shows it was read, not made.
    fs.writeFileSync(path.join(dir, entry), JSON.stringify({ marked: [[1, 1]] }));
    expect(planFontLoads(faces, cps, ['en'], cache)).toEqual({ marked: [[1, 1]] });
    expect(planFontLoads(faces, cps, ['en', 'zh'], cache)).not.toHaveProperty('marked');
    expect(planFontLoads(faces, new Set([...cps, 0x4e2d]), ['en'], cache)).not.toHaveProperty('marked');
    // An entry that cannot be read is made again.
    fs.writeFileSync(path.join(dir, entry), '{');
    expect(planFontLoads(faces, cps, ['en'], cache)).toEqual(plan);
  });
});

describe('languagesOf', () => {
  it('finds the book language, each chapter language and every lang attribute in the text', () => {
    const tree = {
      type: 'root',
      children: [
        { type: 'element', tagName: 'p', properties: {}, children: [{ type: 'element', tagName: 'span', properties: { lang: 'ug' }, children: [] }] },
        { type: 'element', tagName: 'blockquote', properties: { lang: 'zh-Hans' }, children: [] },
      ],
    } as unknown as ParsedChapter['tree'];
    expect([...languagesOf({ meta: { language: 'en' } } as never, [{ lang: 'ru', tree }])].sort()).toEqual(['en', 'ru', 'ug', 'zh-Hans']);
  });
});

describe('a layout with a plan', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await launchBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  /** A folder with the faces that draw `text` (fonts.css, fonts/) and page.css: the serif stack, pages of `size`. */
  const fontFolder = (text: string, size: string): { dir: string; faces: FontFace[] } => {
    const dir = tempDir();
    const faces = selectFaces(FACES, codePointsOf([text]));
    fs.mkdirSync(path.join(dir, 'fonts'));
    for (const f of faces) fs.copyFileSync(f.file, path.join(dir, 'fonts', path.basename(f.file)));
    fs.writeFileSync(path.join(dir, 'fonts.css'), fontFaceCss(faces, (f) => `fonts/${path.basename(f.file)}`));
    const css = `:root { --font-serif: ${CSS_STACKS.serif.map((f) => `'${f}'`).join(', ')}; } html { font-family: var(--font-serif); } @page { size: ${size}; }`;
    fs.writeFileSync(path.join(dir, 'page.css'), css);
    return { dir, faces };
  };
  /** The families of the faces a page has loaded. */
  const LOADED_FAMILIES = `[...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family.replace(/^["']|["']$/g, ''))`;

  /** The families of the faces loaded once `text` is laid out. */
  const loadedFamilies = async (text: string, plan: FontPlan | undefined): Promise<string[]> => {
    const { dir } = fontFolder(text, '100mm 100mm');
    const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><link rel="stylesheet" href="fonts.css" data-pagedjs-ignore><link rel="stylesheet" href="page.css"></head><body><p>${text}</p></body></html>`;
    fs.writeFileSync(path.join(dir, 'doc.html'), html);
    const laid = await layOut(session, { htmlFile: path.join(dir, 'doc.html'), allowedRoots: [dir], timeoutMs: 60_000, label: 'a test page', fontPlan: plan });
    try {
      const families = (await laid.page.evaluate(LOADED_FAMILIES)) as string[];
      return [...new Set(families)].sort();
    } finally {
      await laid.close();
    }
  };

  it('in a page that lays out part after part: loads the planned faces, reads each stylesheet once, and fails on one it cannot read', { timeout: 120_000 }, async () => {
    const text = 'A plain English sentence.';
    const { dir, faces } = fontFolder(text, '100mm 80mm');
    const plan = planFontLoads(faces, codePointsOf([text]), ['en']);
    const doc = (body: string, sheets = ['page.css']) =>
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><link rel="stylesheet" href="fonts.css" data-pagedjs-ignore>` +
      `${sheets.map((s) => `<link rel="stylesheet" href="${s}">`).join('')}<style>p { color: rgb(1, 2, 3); }</style></head><body>${body}</body></html>`;
    const tab = await preparePage(session, dir);
    const requested: string[] = [];
    tab.page.on('request', (r) => requested.push(path.basename(new URL(r.url()).pathname)));
    try {
      const layOutPart = async (name: string, html: string) => {
        fs.writeFileSync(path.join(dir, name), html);
        return layOut(session, { htmlFile: path.join(dir, name), allowedRoots: [dir], timeoutMs: 60_000, label: name, tab, fontPlan: plan });
      };
      for (const [k, name] of ['one.html', 'two.html'].entries()) {
        const laid = await layOutPart(name, doc(`<p>${text} ${'More words. '.repeat(80 * (k + 1))}</p>`));
        const map = await readPageMap(laid.page);
        // The stylesheet Paged.js was handed shaped the pages: 100 × 80 mm; the inline one styled the text.
        expect(Math.round(map.width / 96 * 25.4)).toBe(100);
        expect(Math.round(map.height / 96 * 25.4)).toBe(80);
        expect(map.pageCount).toBeGreaterThan(k + 1);
        expect(await laid.page.evaluate(`getComputedStyle(document.querySelector('.pagedjs_page p')).color`)).toBe('rgb(1, 2, 3)');
        const families = (await laid.page.evaluate(LOADED_FAMILIES)) as string[];
        expect(families).toContain(SERIF);
        expect(families).not.toContain(CJK);
      }
      // Read by the page once for both parts (the browser no longer loads those Paged.js reads again).
      expect(requested.filter((r) => r === 'page.css')).toEqual(['page.css']);
      expect(requested.filter((r) => r === 'fonts.css')).toEqual(['fonts.css']);
      const failing = layOutPart('three.html', doc('<p>Three.</p>', ['page.css', 'missing.css']));
      await expect(failing).rejects.toThrow(PaginationError);
      await expect(failing).rejects.toThrow(/could not load file:.*missing\.css/);
    } finally {
      await tab.page.close().catch(() => undefined);
    }
  });

  it('loads the faces of the families that draw the text, where Paged.js alone loads every face', { timeout: 120_000 }, async () => {
    const text = 'A plain English sentence.';
    const cps = codePointsOf([text]);
    const plan = planFontLoads(selectFaces(FACES, cps), cps, ['en']);
    const planned = await loadedFamilies(text, plan);
    expect(planned).toContain(SERIF);
    expect(planned).not.toContain(CJK);
    expect(planned).not.toContain('Noto Naskh Arabic');
    const all = await loadedFamilies(text, undefined);
    expect(all).toContain(CJK);
    expect(all).toContain('Noto Naskh Arabic');
  });
});
