/**
 * Merges the PDFs of a book printed in chunks (chunks.ts) into one, keeping
 * what Chromium's tagged output carries: the structure tree (each chunk's
 * elements under the first chunk's Document element, their parent-tree keys
 * moved past the ones already used, element ids made unique), and the named
 * destinations of links — a link to another chunk points at the chunk that
 * holds its target. Chunks, and pages of them taken in part, are spliced in
 * as bytes (pdf-splice.ts); any PDF the splice does not read is copied with
 * pdf-lib (its copyPages alone would drop the structure and every destination).
 */
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFObjectCopier,
  PDFPage,
  PDFPageLeaf,
  PDFRef,
  PDFString,
  PDFHexString,
  ParseSpeeds,
  type PDFObject,
} from 'pdf-lib';
import type { IdOwner } from './chunks.ts';
import { UnreadablePdf } from './pdf-objects.ts';
import { splicePages, spliceSource, type SpliceSource, type Tagged } from './pdf-splice.ts';

const N = (name: string) => PDFName.of(name);

/**
 * pdf-lib reads 100 objects, then waits for a timer, by default: reading the
 * chunks of a novel took three times as long (0.2 s instead of 0.07 s).
 * Nothing else needs the event loop meanwhile.
 */
export const READ_AT_ONCE = { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest };

function tagged(doc: PDFDocument): Tagged | undefined {
  const root = doc.catalog.lookupMaybe(N('StructTreeRoot'), PDFDict);
  if (!root) return undefined;
  const k = root.get(N('K'));
  if (!(k instanceof PDFRef)) return undefined;
  const top = doc.context.lookup(k, PDFDict);
  const tree = root.lookupMaybe(N('ParentTree'), PDFDict);
  const nums = tree?.lookupMaybe(N('Nums'), PDFArray);
  if (!nums) return undefined;
  return { root, top, topRef: k, nums };
}

function kidsOf(dict: PDFDict): PDFObject[] {
  const k = dict.get(N('K'));
  if (!k) return [];
  return k instanceof PDFArray ? k.asArray() : [k];
}

function numberOf(obj: PDFObject | undefined): number {
  return obj instanceof PDFNumber ? obj.asNumber() : 0;
}

function text(obj: PDFObject | undefined): string | undefined {
  return obj instanceof PDFString || obj instanceof PDFHexString ? obj.decodeText() : undefined;
}

/** Every [key, value] of a name tree (leaves reached through Kids). */
function nameTreeEntries(doc: PDFDocument, node: PDFDict | undefined): Array<[string, PDFObject]> {
  if (!node) return [];
  const out: Array<[string, PDFObject]> = [];
  const names = node.lookupMaybe(N('Names'), PDFArray);
  if (names) for (let i = 0; i + 1 < names.size(); i += 2) out.push([text(names.get(i)) ?? '', names.get(i + 1)]);
  const kids = node.lookupMaybe(N('Kids'), PDFArray);
  if (kids) for (const kid of kids.asArray()) out.push(...nameTreeEntries(doc, doc.context.lookup(kid) as PDFDict));
  return out;
}

/**
 * Element ids (the IDTree's keys, used by table cells' Headers) are numbered
 * by each chunk's printer from the start, so a chunk's ids get its own prefix.
 * Only those of the elements under `kids` (all by default) are kept.
 */
function prefixIds(doc: PDFDocument, t: Tagged, prefix: string, kids?: PDFObject[]): Array<[string, PDFObject]> {
  const entries = nameTreeEntries(doc, t.root.lookupMaybe(N('IDTree'), PDFDict)).map(([k, v]) => [`${prefix}${k}`, v] as [string, PDFObject]);
  const seen = new Set<PDFDict>();
  const visit = (obj: PDFObject): void => {
    const dict = obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
    if (!(dict instanceof PDFDict) || seen.has(dict)) return;
    seen.add(dict);
    const id = text(dict.get(N('ID')));
    if (id !== undefined) dict.set(N('ID'), PDFHexString.fromText(`${prefix}${id}`));
    const attrs = dict.get(N('A'));
    for (const a of attrs instanceof PDFArray ? attrs.asArray() : attrs ? [attrs] : []) {
      const attr = a instanceof PDFRef ? doc.context.lookup(a) : a;
      const headers = attr instanceof PDFDict ? attr.lookupMaybe(N('Headers'), PDFArray) : undefined;
      if (headers) {
        for (let i = 0; i < headers.size(); i++) {
          const h = text(headers.get(i));
          if (h !== undefined) headers.set(i, PDFHexString.fromText(`${prefix}${h}`));
        }
      }
    }
    for (const kid of kidsOf(dict)) visit(kid);
  };
  if (!kids) {
    visit(t.topRef);
    return entries;
  }
  for (const kid of kids) visit(kid);
  return entries.filter(([, v]) => seen.has((v instanceof PDFRef ? doc.context.lookup(v) : v) as PDFDict));
}

/** The first page an element's content is on (Chromium tags each page's content under an element of its own). */
function pageOfElement(doc: PDFDocument, obj: PDFObject, seen = new Set<PDFDict>()): PDFRef | undefined {
  const dict = obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
  if (!(dict instanceof PDFDict) || seen.has(dict)) return undefined;
  seen.add(dict);
  const pg = dict.get(N('Pg'));
  if (pg instanceof PDFRef) return pg;
  for (const kid of kidsOf(dict)) {
    const found = pageOfElement(doc, kid, seen);
    if (found) return found;
  }
  return undefined;
}

/** Each source merged gets a prefix of its own for its element ids. */
const idPrefix = (c: number, s: number) => (s ? `c${c}.${s}-` : `c${c}-`);

function isWhole(source: PageSource): boolean {
  return source.from === undefined && source.to === undefined;
}

/** Consecutive pages of the same PDF as one source. */
function coalesce(sources: PageSource[]): PageSource[] {
  const out: PageSource[] = [];
  for (const source of sources) {
    const last = out[out.length - 1];
    if (last && last.bytes === source.bytes && !isWhole(last) && !isWhole(source) && last.to === source.from) out[out.length - 1] = { ...last, to: source.to };
    else out.push(source);
  }
  return out;
}

/** Named destinations (the catalog's Dests dictionary) by name. */
function destsOf(doc: PDFDocument): PDFDict | undefined {
  return doc.catalog.lookupMaybe(N('Dests'), PDFDict);
}

/**
 * Some pages of a printed PDF (from `from` up to, not including, `to`; all
 * without): a part put together after an edit is the chapter printed alone
 * and the pages of the part's other chapters in its earlier PDF (parts.ts).
 */
export interface PageSource {
  bytes: Uint8Array;
  from?: number;
  to?: number;
}

/** A printed chunk: one PDF, or pages of several, in order. */
export type ChunkPdf = Uint8Array | PageSource[];

/**
 * One document from the chunks' PDFs, in order. `owners` says which chunk
 * holds each link target; a destination of the same name in another chunk is
 * the stand-in finish.js made there and is not kept.
 */
export async function mergeChunkPdfs(chunks: ChunkPdf[], owners: Map<string, IdOwner>): Promise<PDFDocument> {
  const merger = new ChunkMerger();
  for (let c = 0; c < chunks.length; c++) await merger.add(c, chunks[c]);
  return merger.finish(owners);
}

/**
 * Merges chunks as they are printed, in any order (a book's front matter,
 * whose contents wait for every chapter, is printed last), so that little of
 * the merge is left once the last chunk is in. The first chunk added is the
 * base: every chunk's catalog says the same (language, marked content,
 * viewer preferences). Pages and top-level structure elements go where their
 * chunk's place in the book puts them; the parent tree's keys only need to be
 * unique and sorted, so each chunk's are moved past those already used.
 * Named destinations are settled in `finish`, once it is known which chunk
 * owns each target. Pages of a PDF taken in part bring the structure
 * elements, parent-tree entries, element ids and destinations of those pages
 * alone; the base is always a whole PDF, so such a chunk added first waits
 * for one.
 */
export class ChunkMerger {
  private base?: PDFDocument;
  private baseTags?: Tagged;
  private nextKey = 0;
  private readonly ids: Array<[string, PDFObject]> = [];
  /** Per chunk added: its pages and top-level elements (for where the next ones go) and its destinations, copied. */
  private readonly added = new Map<number, { pages: number; kids: number; dests: Array<[PDFName, PDFObject]> }>();
  /** Adds run one at a time, in the order they were asked for. */
  private queue: Promise<void> = Promise.resolve();
  /** Chunks that begin with pages of a PDF taken in part, added before there was a base. */
  private waiting: Array<{ c: number; sources: PageSource[] }> = [];

  add(c: number, chunk: ChunkPdf): Promise<void> {
    if (this.added.has(c)) throw new Error(`Chunk ${c + 1} was merged twice.`);
    // Reserved at once: a second add of the same chunk fails even while the first waits in the queue.
    this.added.set(c, { pages: 0, kids: 0, dests: [] });
    const sources = chunk instanceof Uint8Array ? [{ bytes: chunk }] : coalesce(chunk);
    const run = this.queue.then(async () => {
      if (!this.base && !isWhole(sources[0])) return void this.waiting.push({ c, sources });
      await this.copyAll(c, sources);
      if (!this.base) return;
      for (let w = this.waiting.shift(); w; w = this.waiting.shift()) await this.copyAll(w.c, w.sources);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The pages and top-level elements of the chunks before `c` already in. */
  private before(c: number): { pages: number; kids: number } {
    let pages = 0;
    let kids = 0;
    for (const [other, a] of this.added) {
      if (other < c) {
        pages += a.pages;
        kids += a.kids;
      }
    }
    return { pages, kids };
  }

  /**
   * Copies the sources of chunk `c`, by splicing their bytes (pdf-splice.ts)
   * or else by pdf-lib, each PDF read once (pages of one PDF on both sides of
   * another share its fonts).
   */
  private async copyAll(c: number, sources: PageSource[]): Promise<void> {
    const read = new Map<Uint8Array, { doc: PDFDocument; copier?: PDFObjectCopier }>();
    const spliced = new Map<Uint8Array, SpliceSource | undefined>();
    for (const [s, source] of sources.entries()) {
      if (!read.has(source.bytes) && (await this.splice(c, s, source, spliced))) continue;
      let src = read.get(source.bytes);
      if (!src) read.set(source.bytes, (src = { doc: await PDFDocument.load(source.bytes, READ_AT_ONCE) }));
      this.copy(c, s, source, src);
    }
  }

  /**
   * Splices the `s`th source of chunk `c` (read once per PDF, in `read`);
   * false if it is not in a form the splice reads.
   */
  private async splice(c: number, s: number, source: PageSource, read: Map<Uint8Array, SpliceSource | undefined>): Promise<boolean> {
    const entry = this.added.get(c)!;
    const at = this.before(c);
    at.pages += entry.pages;
    at.kids += entry.kids;
    let spliced;
    try {
      if (!read.has(source.bytes)) {
        // Undefined, should it not read: a PDF is tried once.
        read.set(source.bytes, undefined);
        read.set(source.bytes, spliceSource(source.bytes));
      }
      const from = read.get(source.bytes);
      if (!from) return false;
      const range = isWhole(source) ? undefined : { from: source.from, to: source.to };
      spliced = await splicePages(from, this.base && { doc: this.base, tags: this.baseTags }, at, this.nextKey, idPrefix(c, s), range);
    } catch (error) {
      if (error instanceof UnreadablePdf) return false;
      throw error;
    }
    if (!this.base) {
      this.base = spliced.doc;
      this.baseTags = spliced.tags;
    }
    entry.pages += spliced.pages;
    entry.kids += spliced.kids;
    entry.dests.push(...spliced.dests);
    this.ids.push(...spliced.ids);
    this.nextKey += spliced.keys;
    return true;
  }

  /** Copies the `s`th source of chunk `c`. */
  private copy(c: number, s: number, source: PageSource, read: { doc: PDFDocument; copier?: PDFObjectCopier }): void {
    const entry = this.added.get(c)!;
    const prefix = idPrefix(c, s);
    const src = read.doc;
    const srcTags = tagged(src);
    if (!this.base) {
      if (!isWhole(source)) throw new Error('The first PDF merged must be whole.');
      this.base = src;
      this.baseTags = srcTags;
      if (srcTags) {
        this.ids.push(...prefixIds(src, srcTags, prefix));
        this.nextKey = numberOf(srcTags.root.get(N('ParentTreeNextKey')));
      }
      let dests = destsOf(src);
      if (!dests) {
        dests = src.context.obj({});
        src.catalog.set(N('Dests'), src.context.register(dests));
      }
      // Filled again in finish(), from every chunk's destinations.
      entry.dests = dests.entries();
      for (const [name] of entry.dests) dests.delete(name);
      entry.pages = src.getPageCount();
      entry.kids = srcTags ? kidsOf(srcTags.top).length : 0;
      return;
    }
    const base = this.base;
    const baseTags = this.baseTags;
    // Where these pages go: after the chunks before this one, and the pages of this chunk already in.
    const at = this.before(c);
    at.pages += entry.pages;
    at.kids += entry.kids;
    const copier = (read.copier ??= PDFObjectCopier.for(src.context, base.context));
    const tags = baseTags ? srcTags : undefined;
    const all = src.getPages();
    const whole = isWhole(source);
    const pages = whole ? all : all.slice(source.from ?? 0, source.to ?? all.length);
    const taken = new Set(pages.map((p) => p.ref));
    // The chunk's top-level elements (one per page), those of the pages taken.
    const topKids = tags ? kidsOf(tags.top).filter((kid) => whole || taken.has(pageOfElement(src, kid)!)) : [];
    const srcIds = tags ? prefixIds(src, tags, prefix, whole ? undefined : topKids) : [];
    // The top-level elements are re-parented below; their old parent is not copied.
    for (const kid of topKids) {
      const dict = kid instanceof PDFRef ? src.context.lookup(kid) : kid;
      if (dict instanceof PDFDict) dict.delete(N('P'));
    }

    // Pages first, by reference, so that everything pointing at a page finds its copy.
    const keys = new Set<number>();
    pages.forEach((page, i) => {
      const ref = copier.copy(page.ref) as PDFRef;
      const leaf = base.context.lookup(ref) as PDFPageLeaf;
      base.insertPage(at.pages + i, PDFPage.of(leaf, ref, base));
      if (!tags) return;
      const sp = leaf.get(N('StructParents'));
      if (sp instanceof PDFNumber) {
        keys.add(sp.asNumber());
        leaf.set(N('StructParents'), PDFNumber.of(sp.asNumber() + this.nextKey));
      }
      const annots = leaf.lookupMaybe(N('Annots'), PDFArray);
      for (const a of annots?.asArray() ?? []) {
        const annot = base.context.lookup(a);
        const key = annot instanceof PDFDict ? annot.get(N('StructParent')) : undefined;
        if (annot instanceof PDFDict && key instanceof PDFNumber) {
          keys.add(key.asNumber());
          annot.set(N('StructParent'), PDFNumber.of(key.asNumber() + this.nextKey));
        }
      }
    });
    entry.pages += pages.length;

    if (baseTags && tags) {
      for (let i = 0; i + 1 < tags.nums.size(); i += 2) {
        const key = numberOf(tags.nums.get(i));
        if (!whole && !keys.has(key)) continue;
        baseTags.nums.push(PDFNumber.of(key + this.nextKey));
        baseTags.nums.push(copier.copy(tags.nums.get(i + 1)));
      }
      let topK = baseTags.top.get(N('K'));
      if (!(topK instanceof PDFArray)) {
        topK = base.context.obj(topK ? [topK] : []);
        baseTags.top.set(N('K'), topK);
      }
      topKids.forEach((kid, i) => {
        const copied = copier.copy(kid);
        const dict = copied instanceof PDFRef ? base.context.lookup(copied) : copied;
        if (dict instanceof PDFDict) dict.set(N('P'), baseTags.topRef);
        (topK as PDFArray).insert(at.kids + i, copied);
      });
      entry.kids += topKids.length;
      for (const [key, value] of srcIds) this.ids.push([key, copier.copy(value)]);
      this.nextKey += numberOf(tags.root.get(N('ParentTreeNextKey')));
    }
    // The destinations on the pages taken (copying one on another page would copy that page).
    const onTaken = (value: PDFObject) => {
      const dest = value instanceof PDFRef ? src.context.lookup(value) : value;
      const page = dest instanceof PDFArray ? dest.get(0) : undefined;
      return page instanceof PDFRef && taken.has(page);
    };
    const dests = (destsOf(src)?.entries() ?? []).filter(([, value]) => whole || onTaken(value));
    entry.dests.push(...dests.map(([name, value]) => [name, copier.copy(value)] as [PDFName, PDFObject]));
  }

  /** The merged document, once every chunk is in. */
  async finish(owners: Map<string, IdOwner>): Promise<PDFDocument> {
    await this.queue;
    const base = this.base;
    if (!base) throw new Error(this.waiting.length ? 'No whole PDF was merged to put the others on.' : 'No chunk was merged.');
    const ownerOfName = new Map<PDFName, number>();
    for (const [id, owner] of owners) ownerOfName.set(PDFName.of(id), owner.chunk);

    // A target's destination comes from the chunk that holds it; a name no
    // chunk owns, from the first chunk that has one.
    const dests = destsOf(base)!;
    for (const c of [...this.added.keys()].sort((a, b) => a - b)) {
      for (const [name, value] of this.added.get(c)!.dests) {
        const owner = ownerOfName.get(name);
        if (owner === undefined ? !dests.has(name) : owner === c) dests.set(name, value);
      }
    }

    // Chromium writes a destination only for a target some link of the same
    // document points at; a target linked only from other chunks gets one here,
    // at the top of its page.
    const pages = base.getPages();
    const linked = new Set<PDFName>();
    for (const page of pages) {
      for (const a of page.node.lookupMaybe(N('Annots'), PDFArray)?.asArray() ?? []) {
        const annot = base.context.lookup(a);
        const dest = annot instanceof PDFDict ? annot.get(N('Dest')) : undefined;
        if (dest instanceof PDFName) linked.add(dest);
      }
    }
    const pageOf = new Map<PDFName, number>();
    for (const [id, owner] of owners) pageOf.set(PDFName.of(id), owner.page);
    for (const name of linked) {
      const index = pageOf.get(name);
      if (dests.has(name) || index === undefined || !pages[index]) continue;
      const page = pages[index];
      dests.set(name, base.context.obj([page.ref, N('XYZ'), 0, page.getHeight(), 0]));
    }

    const baseTags = this.baseTags;
    if (baseTags) {
      baseTags.root.set(N('ParentTreeNextKey'), PDFNumber.of(this.nextKey));
      // One flat, sorted name tree of every chunk's (prefixed) element ids.
      if (this.ids.length) {
        const ids = [...this.ids].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const names = base.context.obj([]);
        for (const [key, value] of ids) {
          names.push(PDFHexString.fromText(key));
          names.push(value);
        }
        const tree = base.context.obj({});
        tree.set(N('Names'), names);
        baseTags.root.set(N('IDTree'), base.context.register(tree));
      } else {
        baseTags.root.delete(N('IDTree'));
      }
    }
    return base;
  }
}
