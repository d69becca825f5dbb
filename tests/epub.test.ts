/**
 * The EPUB edition, opened up: OPF metadata, navigation (contents, landmarks,
 * page list), cover, pop-up footnotes, print page-break markers, embedded and
 * subset fonts, images, reproducibility, and the verdicts of EPUBCheck and
 * Ace by DAISY on the sample and every fixture.
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PublicationResult } from '../scripts/editions.ts';
import { runAce } from '../scripts/check/ace.ts';
import { ROOT, buildInto, tempDir } from './helpers/build.ts';
import { epubcheck } from './helpers/tools.ts';


/** Temporary folders of this file, removed when its tests end (vitest workers may not run exit handlers). */
const SAMPLE = path.join(ROOT, 'content', 'colophon-guide');
const FIXTURES = path.resolve(import.meta.dirname, '../../shared/fixtures');
const RTL = path.join(import.meta.dirname, 'fixtures', 'epub', 'rtl');
const EPOCH = 1767225600; // 2026-01-01T00:00:00Z

async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  const out = new Map<string, Buffer>();
  for (const [name, entry] of Object.entries(zip.files)) if (!entry.dir) out.set(name, await entry.async('nodebuffer'));
  return out;
}

const text = (files: Map<string, Buffer>, name: string): string => files.get(name)!.toString('utf8');
const metas = (opf: string, property: string): string[] =>
  [...opf.matchAll(new RegExp(`<meta property="${property}"[^>]*>([^<]*)</meta>`, 'g'))].map((m) => m[1]);
/** Text of XHTML without markup, whitespace folded. */
const plain = (xhtml: string): string =>
  xhtml
    .replace(/<[^>]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describe('sample EPUB built after its print PDF', () => {
  let epubFile: string;
  let files: Map<string, Buffer>;
  let opf: string;
  let nav: string;
  let chapters: string[];
  let result: PublicationResult;

  beforeAll(async () => {
    const summary = await buildInto(SAMPLE, { outDir: tempDir('colophon-epubtest-'), formats: ['print', 'epub'], sourceDateEpoch: EPOCH });
    result = summary.publications[0];
    epubFile = path.join(summary.outDir, result.slug, `${result.slug}.epub`);
    files = await unzip(epubFile);
    opf = text(files, 'OEBPS/content.opf');
    nav = text(files, 'OEBPS/toc.xhtml');
    chapters = [...files.keys()].filter((n) => /OEBPS\/ch-\d+\.xhtml$/.test(n)).sort();
  }, 300_000);

  it('carries the book metadata in the OPF', () => {
    expect(opf).toMatch(/<package [^>]*xml:lang="en"/);
    expect(opf).toContain('<dc:title id="title">Making Books with Colophon</dc:title>');
    expect(opf).toMatch(/<dc:title id="subtitle">One Markdown source[^<]*<\/dc:title>\s*<meta refines="#subtitle" property="title-type">subtitle<\/meta>/);
    const creators = [...opf.matchAll(/<dc:creator id="([^"]+)">([^<]+)<\/dc:creator>/g)].map((m) => m[2]);
    expect(creators).toEqual(['Ada Lindqvist', 'Nurlan Abenov']);
    expect(opf).toContain('<dc:publisher>Colophon Project</dc:publisher>');
    expect(opf).toContain('<dc:date>2026-11-29</dc:date>');
    expect(opf).toMatch(/<dc:description>A short practical guide[^<]+<\/dc:description>/);
    expect(opf).toContain('<dc:language>en</dc:language>');
    expect(opf).toContain('<dc:rights>CC BY 4.0</dc:rights>');
    expect(opf).toMatch(/<dc:identifier id="pub-id">urn:uuid:[0-9a-f-]{36}<\/dc:identifier>/);
    expect(metas(opf, 'dcterms:modified')).toEqual(['2026-01-01T00:00:00Z']);
  });

  it('carries the accessibility metadata, print page numbers included', () => {
    expect(metas(opf, 'schema:accessMode')).toEqual(['textual', 'visual']);
    expect(metas(opf, 'schema:accessModeSufficient')).toEqual(['textual']);
    expect(metas(opf, 'schema:accessibilityFeature')).toEqual(
      expect.arrayContaining(['structuralNavigation', 'tableOfContents', 'readingOrder', 'alternativeText', 'printPageNumbers', 'pageBreakMarkers', 'pageNavigation']),
    );
    expect(metas(opf, 'schema:accessibilityHazard')).toEqual(['none']);
    expect(metas(opf, 'schema:accessibilitySummary')[0]).toMatch(/page break markers/);
    expect(metas(opf, 'dcterms:conformsTo')).toEqual(['EPUB Accessibility 1.1 - WCAG 2.2 Level AA']);
    expect(opf).toMatch(/<dc:source id="page-source">[^<]+<\/dc:source>\s*<meta refines="#page-source" property="source-of">pagination<\/meta>/);
  });

  it('has nested contents, landmarks and a hidden page list in the nav', () => {
    const toc = /<nav epub:type="toc"[\s\S]*?<\/nav>/.exec(nav)![0];
    expect(toc).toMatch(/<li><a href="ch-01.xhtml">[^<]+<\/a><ol><li><a href="ch-01.xhtml#ch-01-[^"]+">/);
    for (const ch of chapters) expect(toc).toContain(`href="${path.basename(ch)}"`);
    const landmarks = /<nav epub:type="landmarks"[\s\S]*?<\/nav>/.exec(nav)![0];
    for (const type of ['cover', 'toc', 'bodymatter']) expect(landmarks).toContain(`epub:type="${type}"`);
    expect(nav).toMatch(/<nav epub:type="page-list" id="page-list" role="doc-pagelist" hidden="hidden"/);
    expect(text(files, 'OEBPS/toc.ncx')).toMatch(/<navPoint id="np-ch-01-[^"]+"/);
  });

  it('has a cover page and an image marked cover-image', () => {
    expect(opf).toMatch(/<item id="cover-image" href="cover\.jpg" media-type="image\/jpeg" properties="cover-image"\/>/);
    expect(opf).toContain('<meta name="cover" content="cover-image"/>');
    const cover = text(files, 'OEBPS/cover.xhtml');
    expect(cover).toMatch(/epub:type="cover"/);
    expect(cover).toMatch(/<img role="doc-cover" src="cover\.jpg" alt="Cover: Making Books with Colophon/);
    expect(files.get('OEBPS/cover.jpg')!.length).toBeGreaterThan(1000);
  });

  it('turns footnotes into noterefs to asides that keep their back links', () => {
    const ch = text(files, 'OEBPS/ch-01.xhtml');
    const refs = [...ch.matchAll(/<a href="#([^"]+)" id="([^"]+)"[^>]*epub:type="noteref" role="doc-noteref">/g)];
    expect(refs.length).toBe(2);
    for (const [, target, refId] of refs) {
      const aside = new RegExp(`<aside epub:type="footnote" role="doc-footnote" id="${target}"[^>]*>[\\s\\S]*?</aside>`).exec(ch)?.[0];
      expect(aside, target).toBeTruthy();
      expect(aside).toContain(`href="#${refId}"`);
      expect(aside).toContain('role="doc-backlink"');
    }
    // One aside per note, after the notes heading, at the chapter's end; no list left behind.
    expect(ch).toMatch(/<h2 class="footnotes-title" id="ch-01-footnote-label">Notes<\/h2>\s*<aside/);
    expect(ch).not.toMatch(/<li id="ch-01-fn-/);
  });

  it('marks every print page that begins with text, in order, where it begins', () => {
    const map = result.pageMaps.print!;
    const expected = [...new Set(map.pageStarts.flatMap((s, i) => (s && map.folios[i] ? [map.folios[i]] : [])))];
    expect(expected.length).toBeGreaterThan(20);
    const all = chapters.map((c) => text(files, c)).join('\n');
    const markers = [...all.matchAll(/<span epub:type="pagebreak" role="doc-pagebreak" id="page-([^"]+)" aria-label="([^"]+)"><\/span>/g)];
    expect(markers.map((m) => m[2])).toEqual(expected);
    const list = [...nav.matchAll(/<li><a href="(ch-\d+\.xhtml)#page-([^"]+)">([^<]+)<\/a><\/li>/g)];
    expect(list.map((m) => m[3])).toEqual(expected);
    for (const [, file, id] of list) expect(text(files, `OEBPS/${file}`)).toContain(`id="page-${id}"`);
    // A page that continues a paragraph starts with the word the print page starts with.
    map.pageStarts.forEach((s, i) => {
      if (!s?.continued || !map.folios[i]) return;
      const at = all.indexOf(`id="page-${map.folios[i]}"`);
      const after = plain(all.slice(all.indexOf('>', at) + 1)).replace(/\s/g, '');
      expect(after.slice(0, 40), `page ${map.folios[i]}`).toContain(s.text.replace(/\s/g, '').slice(0, 10));
    });
    // The block numbers used to place them are gone.
    expect(all).not.toContain('data-pos');
  });

  it('embeds the theme fonts as WOFF, subset to the characters of the book', () => {
    const fonts = [...files.keys()].filter((n) => n.startsWith('OEBPS/fonts/'));
    expect(fonts).toEqual(expect.arrayContaining(['OEBPS/fonts/noto-serif-latin-400-normal.woff', 'OEBPS/fonts/noto-sans-latin-700-normal.woff']));
    for (const f of fonts) {
      expect(files.get(f)!.subarray(0, 4).toString('latin1'), f).toBe('wOFF');
      expect(opf).toContain(`href="${f.slice('OEBPS/'.length)}" media-type="font/woff"`);
      // A full Noto Serif latin subset is ~20 KB as WOFF2; cut down to the book's characters it is far smaller.
      expect(files.get(f)!.length, f).toBeLessThan(16_000);
    }
    const total = fonts.reduce((n, f) => n + files.get(f)!.length, 0);
    expect(total).toBeLessThan(400_000);
    const css = text(files, 'OEBPS/style.css');
    expect(css.indexOf('@namespace')).toBe(0);
    expect(css).toMatch(/@font-face \{\s*font-family: 'Noto Serif';\s*font-style: normal;\s*font-weight: 400;\s*src: url\('fonts\/noto-serif-latin-400-normal\.woff'\) format\('woff'\);\s*unicode-range: [^;]+;/);
  });

  it('keeps image alt text and size; scales the image no further than needed', async () => {
    const ch = text(files, 'OEBPS/ch-01.xhtml');
    expect(ch).toMatch(/<img src="images\/pipeline\.png" alt="A diagram of six stages[^"]*" width="1600" height="900"/);
    const meta = await sharp(files.get('OEBPS/images/pipeline.png')!).metadata();
    expect([meta.width, meta.height]).toEqual([1600, 900]);
  });

  it('passes EPUBCheck with no errors and no warnings', () => {
    const r = epubcheck(epubFile);
    expect(r.output).not.toMatch(/ERROR|WARNING|FATAL/);
    expect([r.fatals, r.errors, r.warnings]).toEqual([0, 0, 0]);
  });

  it('has no serious or critical violations in Ace by DAISY', async () => {
    const r = await runAce(epubFile);
    expect(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  }, 300_000);
});

describe('EPUB-only builds', () => {
  it('are byte-identical for identical input (and carry no page list without a PDF)', async () => {
    const a = await buildInto(SAMPLE, { outDir: tempDir('colophon-epubtest-'), formats: ['epub'], sourceDateEpoch: EPOCH });
    const b = await buildInto(SAMPLE, { outDir: tempDir('colophon-epubtest-'), formats: ['epub'], sourceDateEpoch: EPOCH });
    const file = (o: string) => path.join(o, 'colophon-guide', 'colophon-guide.epub');
    expect(Buffer.compare(fs.readFileSync(file(a.outDir)), fs.readFileSync(file(b.outDir)))).toBe(0);
    const files = await unzip(file(a.outDir));
    expect([...files.keys()][0]).toBe('mimetype');
    expect(text(files, 'OEBPS/toc.xhtml')).not.toContain('page-list');
    expect(text(files, 'OEBPS/ch-01.xhtml')).not.toContain('pagebreak');
    expect(metas(text(files, 'OEBPS/content.opf'), 'schema:accessibilityFeature')).not.toContain('printPageNumbers');
  }, 300_000);

  it('rebuilt after an edit from chapters kept in the cache, are the bytes of a build from scratch, warnings and page breaks included', async () => {
    // The multilingual sampler, its last chapter given a link to nowhere (a warning made while its tree is made).
    const src = tempDir('colophon-epubtest-');
    fs.cpSync(path.join(FIXTURES, 'multilingual'), src, { recursive: true });
    const last = path.join(src, '04-scripts.md');
    fs.appendFileSync(last, '\nSee [a section that is not there](#no-such-section).\n');
    const out = tempDir('colophon-epubtest-');
    const formats: Array<'epub' | 'print'> = ['epub', 'print'];
    const first = await buildInto(src, { outDir: out, formats, sourceDateEpoch: EPOCH });
    const kept = path.join(out, '.colophon-cache', 'epub-chapters');
    const chapters = fs.readdirSync(kept).length;
    expect(chapters).toBe(4);
    const missing = (w: typeof first.warnings) => w.filter((d) => d.code === 'LINK_TARGET_MISSING').map((d) => path.basename(d.file ?? ''));
    expect(missing(first.warnings)).toEqual(['04-scripts.md']);

    // Nothing changed: every chapter from the cache, the warning told again.
    const again = await buildInto(src, { outDir: out, formats, sourceDateEpoch: EPOCH });
    expect(fs.readdirSync(kept)).toHaveLength(chapters);
    expect(missing(again.warnings)).toEqual(['04-scripts.md']);

    // The last chapter edited: it alone is made again, and the book is the one a new build makes.
    fs.appendFileSync(last, '\nOne more sentence at the end.\n');
    const edited = await buildInto(src, { outDir: out, formats, sourceDateEpoch: EPOCH });
    expect(fs.readdirSync(kept)).toHaveLength(chapters + 1);
    expect(missing(edited.warnings)).toEqual(['04-scripts.md']);
    const fresh = await buildInto(src, { outDir: tempDir('colophon-epubtest-'), formats, sourceDateEpoch: EPOCH });
    const slug = first.publications[0].slug;
    const epub = (o: string) => fs.readFileSync(path.join(o, slug, `${slug}.epub`));
    expect(Buffer.compare(epub(edited.outDir), epub(fresh.outDir))).toBe(0);
    const files = await unzip(path.join(out, slug, `${slug}.epub`));
    expect([...files.values()].some((b) => b.toString('utf8').includes('One more sentence at the end.'))).toBe(true);
    expect([...files.values()].some((b) => b.toString('utf8').includes('epub:type="pagebreak"'))).toBe(true);

    // What is kept is what is used: a kept chapter marked by hand shows in the next build.
    for (const name of fs.readdirSync(kept)) {
      const file = path.join(kept, name);
      const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { xhtml: string };
      fs.writeFileSync(file, JSON.stringify({ ...entry, xhtml: entry.xhtml.replace('</section>', '<p>Marked in the cache.</p></section>') }));
    }
    await buildInto(src, { outDir: out, formats, sourceDateEpoch: EPOCH });
    const marked = await unzip(path.join(out, slug, `${slug}.epub`));
    expect([...marked.values()].filter((b) => b.toString('utf8').includes('Marked in the cache.'))).toHaveLength(4);
  }, 300_000);

  it.each(['article', 'multilingual', 'novel'])('%s passes EPUBCheck with no errors and no warnings', async (name) => {
    const summary = await buildInto(path.join(FIXTURES, name), { outDir: tempDir('colophon-epubtest-'), formats: ['epub'] });
    const pub = summary.publications[0];
    const file = path.join(summary.outDir, pub.slug, `${pub.slug}.epub`);
    const r = epubcheck(file);
    expect(r.output).not.toMatch(/ERROR|WARNING|FATAL/);
    expect([r.fatals, r.errors, r.warnings]).toEqual([0, 0, 0]);
    const size = fs.statSync(file).size;
    if (name === 'novel') {
      // A novel: Latin text only, so a handful of small font files and a small book.
      const files = await unzip(file);
      const fonts = [...files.keys()].filter((n) => n.startsWith('OEBPS/fonts/'));
      expect(fonts.every((f) => /-latin-/.test(f))).toBe(true);
      expect(fonts.reduce((n, f) => n + files.get(f)!.length, 0)).toBeLessThan(100_000);
      expect(size).toBeLessThan(600_000);
    }
    if (name === 'multilingual') {
      const r2 = await runAce(file);
      expect(r2.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      const files = await unzip(file);
      const fonts = [...files.keys()].filter((n) => n.startsWith('OEBPS/fonts/'));
      expect(fonts.some((f) => f.includes('naskh-arabic-arabic'))).toBe(true);
      expect(fonts.some((f) => f.includes('noto-serif-sc-'))).toBe(true);
    }
  }, 300_000);

  it('sets page-progression-direction for a right-to-left book', async () => {
    const summary = await buildInto(RTL, { outDir: tempDir('colophon-epubtest-'), formats: ['epub'] });
    const pub = summary.publications[0];
    const file = path.join(summary.outDir, pub.slug, `${pub.slug}.epub`);
    const files = await unzip(file);
    const opf = text(files, 'OEBPS/content.opf');
    expect(opf).toMatch(/<package [^>]*xml:lang="ar" dir="rtl"/);
    expect(opf).toMatch(/<spine toc="ncx" page-progression-direction="rtl">/);
    expect(text(files, 'OEBPS/ch-01.xhtml')).toMatch(/<html [^>]*xml:lang="ar" lang="ar" dir="rtl">/);
    const r = epubcheck(file);
    expect([r.fatals, r.errors, r.warnings]).toEqual([0, 0, 0]);
  }, 300_000);

  it('scales images above 4 megapixels down, keeping the aspect ratio and an empty alt', async () => {
    const dir = tempDir('colophon-epub-img-');
    fs.mkdirSync(path.join(dir, 'images'));
    // 3000 × 2000 = 6 megapixels, a gradient so that it does not compress to nothing.
    const w = 3000;
    const h = 2000;
    const raw = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) raw.set([i % 251, (i >> 8) % 253, (i >> 16) % 241], i * 3);
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path.join(dir, 'images', 'big.png'));
    fs.writeFileSync(path.join(dir, 'book.yaml'), 'title: Big Picture\nauthors: [Tester]\nlanguage: en\nlayout: article\nchapters: [one.md]\n');
    fs.writeFileSync(path.join(dir, 'one.md'), '---\ntitle: One\n---\n\nA decorative picture follows.\n\n![](images/big.png)\n\nThe end.\n');
    const summary = await buildInto(dir, { outDir: tempDir('colophon-epubtest-'), formats: ['epub'], sourceDateEpoch: EPOCH });
    const pub = summary.publications[0];
    const file = path.join(summary.outDir, pub.slug, `${pub.slug}.epub`);
    const files = await unzip(file);
    const img = [...files.keys()].find((n) => n.endsWith('big.png'))!;
    const meta = await sharp(files.get(img)!).metadata();
    expect(meta.width! * meta.height!).toBeLessThanOrEqual(4_000_000);
    expect(meta.width! / meta.height!).toBeCloseTo(1.5, 2);
    const ch = [...files.keys()].filter((n) => /OEBPS\/ch-\d+\.xhtml$/.test(n)).map((n) => text(files, n)).join('');
    expect(ch).toMatch(new RegExp(`<img src="images/big\\.png" alt="" width="${meta.width}" height="${meta.height}"`));
    const r = epubcheck(file);
    expect([r.fatals, r.errors, r.warnings]).toEqual([0, 0, 0]);
  }, 300_000);

  it('labels the links back from notes in the chapter\'s language', async () => {
    const dir = path.join(ROOT, 'tests', 'fixtures', 'languages', 'russian-book');
    const summary = await buildInto(dir, { outDir: tempDir('colophon-epubtest-'), formats: ['epub'], sourceDateEpoch: EPOCH });
    const pub = summary.publications[0];
    const files = await unzip(path.join(summary.outDir, pub.slug, `${pub.slug}.epub`));
    const ch = [...files.keys()].filter((n) => /OEBPS\/ch-\d+\.xhtml$/.test(n)).map((n) => text(files, n)).join('');
    expect(ch).toMatch(/role="doc-backlink"[^>]*aria-label="Назад к ссылке \d+"|aria-label="Назад к ссылке \d+"[^>]*role="doc-backlink"/);
    expect(ch).not.toContain('Back to reference');
  }, 120_000);
});
