/**
 * Adds the pages of a printed chunk (all of them, or a run of them) to a
 * merged book by splicing its bytes: the objects the merge changes or reads
 * (pages, links, the structure tree's top, elements with ids) are parsed with
 * pdf-lib; the rest (most structure elements, fonts, page contents) are copied
 * as they are with their references renumbered. This is what ChunkMerger does
 * with pdf-lib's PDFObjectCopier, at a small part of the cost: an edit rebuild
 * merges every unchanged chunk of both editions again, and the pages of the
 * edited part's other chapters. Everything that can fail (a PDF not in the
 * form pdf-objects.ts reads, pages taken in part that refer to pages left
 * out) fails before the book is touched.
 */
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFObjectParser,
  PDFPage,
  PDFPageLeaf,
  PDFPageTree,
  PDFRef,
  PDFStream,
  PDFString,
  type PDFContext,
} from 'pdf-lib';
import { UnreadablePdf, readObjects, referencesOf, renumbered, type ObjectSpan, type PdfObjects } from './pdf-objects.ts';

const N = (name: string) => PDFName.of(name);

/** The structure tree of the merged book. */
export interface Tagged {
  root: PDFDict;
  /** The Document element. */
  top: PDFDict;
  topRef: PDFRef;
  nums: PDFArray;
}

/** An object written as it was read: bytes of a PDF object with references already renumbered. */
class VerbatimObject extends PDFObject {
  constructor(private readonly bytes: Uint8Array) {
    super();
  }
  clone(): PDFObject {
    return this;
  }
  toString(): string {
    return Buffer.from(this.bytes).toString('latin1');
  }
  sizeInBytes(): number {
    return this.bytes.length;
  }
  copyBytesInto(buffer: Uint8Array, offset: number): number {
    buffer.set(this.bytes, offset);
    return this.bytes.length;
  }
}

/**
 * A stream written as it was read: its dictionary renumbered, its data and
 * `stream`…`endstream` copied. A PDFStream, so that pdf-lib's writer keeps it
 * out of object streams (which cannot hold streams).
 */
class VerbatimStream extends PDFStream {
  constructor(
    context: PDFContext,
    private readonly head: Uint8Array,
    private readonly tail: Uint8Array,
  ) {
    super(PDFDict.withContext(context));
  }
  clone(): PDFStream {
    return this;
  }
  toString(): string {
    return Buffer.concat([this.head, Buffer.from(' '), this.tail]).toString('latin1');
  }
  sizeInBytes(): number {
    return this.head.length + 1 + this.tail.length;
  }
  copyBytesInto(buffer: Uint8Array, offset: number): number {
    buffer.set(this.head, offset);
    buffer[offset + this.head.length] = 0x20;
    buffer.set(this.tail, offset + this.head.length + 1);
    return this.sizeInBytes();
  }
}

/**
 * A PDF being spliced, read once, and where its objects went in the book:
 * two runs of its pages (on both sides of a chapter printed again) share its
 * fonts and images instead of copying them twice.
 */
export interface SpliceSource {
  pdf: PdfObjects;
  /** Its object numbers → the book's, for what is in the book already. */
  onto: Map<number, number>;
}

export function spliceSource(bytes: Uint8Array): SpliceSource {
  return { pdf: readObjects(bytes), onto: new Map() };
}

export interface Spliced {
  /** The book: the one given, or a new one made from this chunk's catalog when none was. */
  doc: PDFDocument;
  tags?: Tagged;
  pages: number;
  /** Top-level structure elements added. */
  kids: number;
  /** Parent-tree keys this chunk used (its ParentTreeNextKey). */
  keys: number;
  dests: Array<[PDFName, PDFObject]>;
  ids: Array<[string, PDFObject]>;
}

const text = (obj: PDFObject | undefined) => (obj instanceof PDFString || obj instanceof PDFHexString ? obj.decodeText() : undefined);
const numberOf = (obj: PDFObject | undefined) => (obj instanceof PDFNumber ? obj.asNumber() : 0);

/** A copy of `obj` with every reference renumbered by `to` (containers are new; the rest is immutable). */
function remap(obj: PDFObject, to: (num: number) => number, ctx: PDFContext): PDFObject {
  if (obj instanceof PDFRef) return PDFRef.of(to(obj.objectNumber));
  if (obj instanceof PDFArray) {
    const out = PDFArray.withContext(ctx);
    for (const item of obj.asArray()) out.push(remap(item, to, ctx));
    return out;
  }
  if (obj instanceof PDFDict) {
    const map = new Map<PDFName, PDFObject>();
    for (const [key, value] of obj.entries()) map.set(key, remap(value, to, ctx));
    return obj instanceof PDFPageLeaf ? PDFPageLeaf.fromMapWithContext(map, ctx) : PDFDict.fromMapWithContext(map, ctx);
  }
  return obj;
}

/** The numbers of the objects `obj` refers to, directly or in what it holds. */
function refsIn(obj: PDFObject | undefined, out: number[] = []): number[] {
  if (obj instanceof PDFRef) out.push(obj.objectNumber);
  else if (obj instanceof PDFArray) for (const item of obj.asArray()) refsIn(item, out);
  else if (obj instanceof PDFDict) for (const [, value] of obj.entries()) refsIn(value, out);
  return out;
}

const listOf = (obj: PDFObject | undefined): PDFObject[] => (obj instanceof PDFArray ? obj.asArray() : obj ? [obj] : []);

/** Prefixes an element's /ID and the /Headers of its attributes given directly (an attribute object of its own is renamed where it is copied). */
function renameIds(dict: PDFDict, prefix: string): void {
  const id = text(dict.get(N('ID')));
  if (id !== undefined) dict.set(N('ID'), PDFHexString.fromText(`${prefix}${id}`));
  const headers = dict.get(N('Headers'));
  if (headers instanceof PDFArray) {
    for (let i = 0; i < headers.size(); i++) {
      const h = text(headers.get(i));
      if (h !== undefined) headers.set(i, PDFHexString.fromText(`${prefix}${h}`));
    }
  }
  for (const attr of listOf(dict.get(N('A')))) if (attr instanceof PDFDict) renameIds(attr, prefix);
}

/** Reads the objects the splice needs parsed, in the chunk's own numbering. */
class ChunkReader {
  constructor(
    readonly pdf: PdfObjects,
    private readonly ctx: PDFContext,
  ) {}

  span(num: number): ObjectSpan {
    const span = this.pdf.objects.get(num);
    if (!span) throw new UnreadablePdf(`object ${num} is missing`);
    return span;
  }

  parse(num: number): PDFObject {
    const span = this.span(num);
    return PDFObjectParser.forBytes(this.pdf.bytes.subarray(span.start, span.end), this.ctx).parseObject();
  }

  /** `obj` itself, or the object it refers to, parsed. */
  resolve(obj: PDFObject | undefined): PDFObject | undefined {
    return obj instanceof PDFRef ? this.parse(obj.objectNumber) : obj;
  }

  dict(obj: PDFObject | undefined): PDFDict | undefined {
    const found = this.resolve(obj);
    return found instanceof PDFDict ? found : undefined;
  }

  /** The first page (its object number) an element's content is on: its /Pg, or its first descendant's. */
  pageOf(obj: PDFObject, seen = new Set<number>()): number | undefined {
    if (obj instanceof PDFRef) {
      if (seen.has(obj.objectNumber)) return undefined;
      seen.add(obj.objectNumber);
    }
    const dict = obj instanceof PDFDict ? obj : this.dict(obj);
    if (!dict) return undefined;
    const pg = dict.get(N('Pg'));
    if (pg instanceof PDFRef) return pg.objectNumber;
    for (const kid of listOf(this.resolve(dict.get(N('K'))))) {
      const found = this.pageOf(kid, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Every [key, value] of a name tree. */
  nameTree(node: PDFDict | undefined, out: Array<[string, PDFObject]> = []): Array<[string, PDFObject]> {
    if (!node) return out;
    const names = this.resolve(node.get(N('Names')));
    if (names instanceof PDFArray) for (let i = 0; i + 1 < names.size(); i += 2) out.push([text(names.get(i)) ?? '', names.get(i + 1)]);
    for (const kid of listOf(this.resolve(node.get(N('Kids'))))) this.nameTree(this.dict(kid), out);
    return out;
  }
}

const INHERITED = ['Resources', 'MediaBox', 'CropBox', 'Rotate'].map(N);

/**
 * Puts `pages` into the book at page `index`, in a page-tree node of their
 * own under the root. pdf-lib's insertPage walks the root's kids up to the
 * index for every page it inserts: a book spliced page by page cost time in
 * the square of its length (the novel's merge spent a fifth of its time
 * there). A position inside a node (a base pdf-lib copied, in a tree of
 * Chromium's) is left to insertPage.
 */
function insertPages(doc: PDFDocument, index: number, pages: Array<{ ref: PDFRef; leaf: PDFPageLeaf }>): void {
  if (!pages.length) return;
  const ctx = doc.context;
  const rootRef = doc.catalog.get(N('Pages'));
  const root = doc.catalog.Pages();
  const kids = root.Kids();
  let at = 0;
  for (let remaining = index; remaining > 0; at++) {
    const kid = at < kids.size() ? ctx.lookup(kids.get(at)) : undefined;
    const count = kid instanceof PDFPageTree ? kid.Count().asNumber() : kid instanceof PDFPageLeaf ? 1 : Infinity;
    if (count > remaining || !(rootRef instanceof PDFRef)) {
      pages.forEach(({ ref, leaf }, i) => doc.insertPage(index + i, PDFPage.of(leaf, ref, doc)));
      return;
    }
    remaining -= count;
  }
  if (!(rootRef instanceof PDFRef)) throw new UnreadablePdf(`the book's page tree is not an indirect object`);
  const node = PDFPageTree.withContext(ctx, rootRef);
  const nodeRef = ctx.register(node);
  for (const { ref, leaf } of pages) {
    node.Kids().push(ref);
    leaf.setParent(nodeRef);
  }
  node.set(N('Count'), PDFNumber.of(pages.length));
  kids.insert(at, nodeRef);
  root.set(N('Count'), PDFNumber.of(root.Count().asNumber() + pages.length));
  // pdf-lib keeps the page list and count it read last (private fields of
  // PDFDocument, pinned 1.17.1): both are read again from the tree.
  const cached = doc as unknown as { pageCount?: number; pageCache: { invalidate(): void } };
  cached.pageCount = undefined;
  cached.pageCache.invalidate();
}

/**
 * Splices the pages of `source` (all, or those from `range.from` up to, not
 * including, `range.to`) into `book` (a new book when there is none; then
 * the pages must be all), its pages at `at.pages`, its top-level elements at
 * `at.kids`, its parent-tree keys moved up by `nextKey`, its element ids
 * prefixed. Pages taken in part bring the structure elements, parent-tree
 * entries, element ids and destinations of those pages alone.
 */
export async function splicePages(
  source: SpliceSource,
  book: { doc: PDFDocument; tags?: Tagged } | undefined,
  at: { pages: number; kids: number },
  nextKey: number,
  prefix: string,
  range?: { from?: number; to?: number },
): Promise<Spliced> {
  const { pdf } = source;
  if (range && !book) throw new Error('The first PDF merged must be whole.');
  const doc = book?.doc ?? (await PDFDocument.create({ updateMetadata: false }));
  const ctx = doc.context;
  const read = new ChunkReader(pdf, ctx);
  const catalog = read.dict(PDFRef.of(pdf.root));
  if (!catalog) throw new UnreadablePdf(`no catalog`);

  // Where the chunk's objects go: some onto objects of the book (those an
  // earlier run of its pages brought too), the rest to new numbers from here.
  // Kept apart until nothing can fail.
  let next = ctx.largestObjectNumber + 1;
  const onto = new Map(source.onto);
  const to = (num: number): number => {
    const mapped = onto.get(num);
    if (mapped === undefined) throw new UnreadablePdf(`object ${num} is referred to but not copied`);
    return mapped;
  };
  const roots: number[] = [];

  // The pages, in order, with what they inherit from the page tree written on each.
  const leaves: Array<{ num: number; leaf: PDFPageLeaf }> = [];
  const bookPages = doc.catalog.get(N('Pages'));
  const walk = (ref: PDFObject | undefined, inherited: Map<PDFName, PDFObject>): void => {
    if (!(ref instanceof PDFRef)) throw new UnreadablePdf(`a page is not an indirect object`);
    const node = read.parse(ref.objectNumber);
    if (node instanceof PDFPageLeaf) {
      for (const [key, value] of inherited) if (!node.has(key)) node.set(key, value);
      leaves.push({ num: ref.objectNumber, leaf: node });
      roots.push(ref.objectNumber, ...refsIn(node));
      return;
    }
    if (!(node instanceof PDFDict)) throw new UnreadablePdf(`a damaged page tree`);
    // Page tree nodes are not copied: the pages go into the book's tree.
    if (bookPages instanceof PDFRef) onto.set(ref.objectNumber, bookPages.objectNumber);
    const own = new Map(inherited);
    for (const key of INHERITED) {
      const value = node.get(key);
      if (value) own.set(key, value);
    }
    for (const kid of listOf(read.resolve(node.get(N('Kids'))))) walk(kid, own);
  };
  walk(catalog.get(N('Pages')), new Map());
  // Pages left out are not copied, nor is anything that refers to one (pdf-lib's copy does that instead).
  const all = leaves.length;
  const left = new Set<number>();
  if (range) {
    const from = range.from ?? 0;
    const end = range.to ?? all;
    if (from < 0 || end > all || from >= end) throw new Error(`Pages ${from + 1}–${end} of a PDF of ${all} pages were asked for.`);
    for (const [i, { num }] of leaves.entries()) if (i < from || i >= end) left.add(num);
    leaves.splice(end);
    leaves.splice(0, from);
    roots.length = 0;
    for (const { num, leaf } of leaves) roots.push(num, ...refsIn(leaf));
  }
  const kept = new Set(leaves.map((l) => l.num));

  // The links on the pages are parsed too: their StructParent moves, finish() reads their Dest.
  const parsed = new Map<number, PDFObject>();
  for (const { leaf } of leaves) {
    const annots = leaf.get(N('Annots'));
    if (annots instanceof PDFRef) parsed.set(annots.objectNumber, read.parse(annots.objectNumber));
    for (const a of listOf(read.resolve(annots))) if (a instanceof PDFRef) parsed.set(a.objectNumber, read.parse(a.objectNumber));
  }

  // The structure tree: the top-level elements go under the book's Document element; the rest comes with them.
  const srcRootRef = catalog.get(N('StructTreeRoot'));
  const srcRoot = read.dict(srcRootRef);
  const srcTopRef = srcRoot?.get(N('K'));
  const srcTop = srcTopRef instanceof PDFRef ? read.dict(srcTopRef) : undefined;
  const srcNums = read.resolve(read.dict(srcRoot?.get(N('ParentTree')))?.get(N('Nums')));
  const srcTagged = srcRoot && srcTop && srcNums instanceof PDFArray ? { root: srcRoot, top: srcTop, nums: srcNums } : undefined;
  let tags = book ? book.tags : undefined;
  // A new book takes its catalog, structure root and Document element from this chunk, without the contents.
  const carried: Array<{ into: () => PDFDict; entries: Array<[PDFName, PDFObject]> }> = [];
  const carry = (into: () => PDFDict, from: PDFDict, skip: string[]) => {
    const entries = from.entries().filter(([key]) => !skip.includes(key.asString().slice(1)));
    for (const [, value] of entries) roots.push(...refsIn(value));
    carried.push({ into, entries });
  };
  const made: Array<[number, PDFObject]> = [];
  /** What ties the new book's catalog to the objects made for it. */
  const settle: Array<() => void> = [];
  if (!book) {
    carry(() => doc.catalog, catalog, ['Type', 'Pages', 'Dests', 'StructTreeRoot', 'Outlines', 'Names']);
    const destsRef = next++;
    made.push([destsRef, ctx.obj({})]);
    settle.push(() => doc.catalog.set(N('Dests'), PDFRef.of(destsRef)));
    if (srcTagged && srcRootRef instanceof PDFRef && srcTopRef instanceof PDFRef) {
      const rootRef = PDFRef.of(next++);
      const topRef = PDFRef.of(next++);
      const treeRef = PDFRef.of(next++);
      onto.set(srcRootRef.objectNumber, rootRef.objectNumber);
      onto.set(srcTopRef.objectNumber, topRef.objectNumber);
      const root = ctx.obj({ K: topRef, ParentTree: treeRef });
      const top = ctx.obj({ P: rootRef, K: [] });
      const nums = ctx.obj([]);
      carry(() => root, srcTagged.root, ['K', 'ParentTree', 'ParentTreeNextKey', 'IDTree']);
      carry(() => top, srcTagged.top, ['K', 'P']);
      made.push([rootRef.objectNumber, root], [topRef.objectNumber, top], [treeRef.objectNumber, ctx.obj({ Nums: nums })]);
      settle.push(() => doc.catalog.set(N('StructTreeRoot'), rootRef));
      tags = { root, top, topRef, nums };
    }
  } else if (tags && srcTagged && srcTopRef instanceof PDFRef) {
    const bookRoot = doc.catalog.get(N('StructTreeRoot'));
    if (srcRootRef instanceof PDFRef && bookRoot instanceof PDFRef) onto.set(srcRootRef.objectNumber, bookRoot.objectNumber);
    onto.set(srcTopRef.objectNumber, tags.topRef.objectNumber);
  }
  const structured = tags && srcTagged ? srcTagged : undefined;
  // The top-level elements (one per page) of the pages taken.
  const topKids = structured ? listOf(structured.top.get(N('K'))).filter((kid) => !range || kept.has(read.pageOf(kid) ?? -1)) : [];
  // The parent-tree entries of the pages taken and of their links.
  const keys = new Set<number>();
  if (range) {
    for (const { leaf } of leaves) {
      const sp = leaf.get(N('StructParents'));
      if (sp instanceof PDFNumber) keys.add(sp.asNumber());
      for (const a of listOf(read.resolve(leaf.get(N('Annots'))))) {
        const annot = a instanceof PDFRef ? parsed.get(a.objectNumber) : a;
        const key = annot instanceof PDFDict ? annot.get(N('StructParent')) : undefined;
        if (key instanceof PDFNumber) keys.add(key.asNumber());
      }
    }
  }
  const entries: Array<[number, PDFObject]> = [];
  if (structured) {
    for (let i = 0; i + 1 < structured.nums.size(); i += 2) {
      const key = numberOf(structured.nums.get(i));
      if (!range || keys.has(key)) entries.push([key, structured.nums.get(i + 1)]);
    }
  }
  const allIds = structured ? read.nameTree(read.dict(structured.root.get(N('IDTree')))) : [];
  // The destinations on the pages taken.
  const onKept = (value: PDFObject) => {
    const dest = read.resolve(value);
    const page = dest instanceof PDFArray ? dest.get(0) : undefined;
    return page instanceof PDFRef && kept.has(page.objectNumber);
  };
  const dests = (read.dict(catalog.get(N('Dests')))?.entries() ?? []).filter(([, value]) => !range || onKept(value));
  for (const kid of topKids) roots.push(...refsIn(kid));
  for (const [, value] of entries) roots.push(...refsIn(value));
  // Taken in part, the ids are those of the elements copied (below).
  if (!range) for (const [, value] of allIds) roots.push(...refsIn(value));
  for (const [, value] of dests) roots.push(...refsIn(value));

  // Every object reachable from what is kept gets the next number, in the order it is found.
  const copied: number[] = [];
  for (let q = 0; q < roots.length; q++) {
    const num = roots[q];
    if (onto.has(num)) continue;
    if (left.has(num)) throw new UnreadablePdf(`a page taken refers to a page left out`);
    onto.set(num, next++);
    copied.push(num);
    for (const ref of referencesOf(pdf, read.span(num))) if (!onto.has(ref)) roots.push(ref);
  }
  const copiedNow = new Set(copied);
  const ids = range ? allIds.filter(([, value]) => value instanceof PDFRef && copiedNow.has(value.objectNumber)) : allIds;
  for (const num of copied) {
    const span = read.span(num);
    let obj: PDFObject;
    if (kept.has(num)) continue;
    const early = parsed.get(num);
    if (early) obj = remap(early, to, ctx);
    else if (span.names && structured) {
      obj = remap(read.parse(num), to, ctx);
      if (obj instanceof PDFDict) renameIds(obj, prefix);
    } else {
      const head = renumbered(pdf, span, to);
      obj = span.dictEnd < span.end ? new VerbatimStream(ctx, head, pdf.bytes.subarray(span.dictEnd, span.end)) : new VerbatimObject(head);
    }
    made.push([onto.get(num)!, obj]);
  }
  const pages = leaves.map(({ num, leaf }) => ({ ref: PDFRef.of(to(num)), leaf: remap(leaf, to, ctx) as PDFPageLeaf }));
  const keptKids = topKids.map((kid) => remap(kid, to, ctx));
  const keptNums: PDFObject[] = [];
  for (const [key, value] of entries) keptNums.push(PDFNumber.of(key + nextKey), remap(value, to, ctx));
  const keptIds = structured ? ids.map(([key, value]) => [`${prefix}${key}`, remap(value, to, ctx)] as [string, PDFObject]) : [];
  const keptCarried = carried.map(({ into, entries }) => ({ into, entries: entries.map(([key, value]) => [key, remap(value, to, ctx)] as [PDFName, PDFObject]) }));
  const keptDests = dests.map(([name, value]) => [name, remap(value, to, ctx)] as [PDFName, PDFObject]);

  // Nothing failed: into the book.
  for (const [from, into] of onto) source.onto.set(from, into);
  for (const [num, obj] of made) ctx.assign(PDFRef.of(num), obj);
  for (const { ref, leaf } of pages) ctx.assign(ref, leaf);
  for (const { into, entries } of keptCarried) for (const [key, value] of entries) into().set(key, value);
  for (const f of settle) f();
  insertPages(doc, at.pages, pages);
  pages.forEach(({ leaf }) => {
    if (!structured) return;
    const sp = leaf.get(N('StructParents'));
    if (sp instanceof PDFNumber) leaf.set(N('StructParents'), PDFNumber.of(sp.asNumber() + nextKey));
    for (const a of leaf.lookupMaybe(N('Annots'), PDFArray)?.asArray() ?? []) {
      const annot = ctx.lookup(a);
      const key = annot instanceof PDFDict ? annot.get(N('StructParent')) : undefined;
      if (annot instanceof PDFDict && key instanceof PDFNumber) annot.set(N('StructParent'), PDFNumber.of(key.asNumber() + nextKey));
    }
  });
  if (tags && structured) {
    const k = tags.top.get(N('K'));
    const list = k instanceof PDFArray ? k : ctx.obj(k ? [k] : []);
    if (!(k instanceof PDFArray)) tags.top.set(N('K'), list);
    keptKids.forEach((kid, i) => list.insert(at.kids + i, kid));
    for (const value of keptNums) tags.nums.push(value);
  }
  return {
    doc,
    tags,
    pages: pages.length,
    kids: keptKids.length,
    keys: structured ? numberOf(structured.root.get(N('ParentTreeNextKey'))) : 0,
    dests: keptDests,
    ids: keptIds,
  };
}
