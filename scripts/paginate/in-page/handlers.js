// Paged.js handlers of our own, loaded into the page after the Paged.js
// polyfill and before layout. Loaded raw: the TypeScript loader's helpers
// do not exist inside the browser.
(function () {
  const { Handler, registerHandlers } = window.Paged;

  /**
   * Page numbering. Paged.js hoists every counter-reset written in CSS to the
   * page container, so "restart at 1 where the first chapter opens" cannot be
   * said in a stylesheet. Counters set inline on the page box are left alone,
   * and Paged.js's target-counter() reads them, so contents and cross
   * references use the same numbers. Folios are written (by Finish, once
   * every page is laid out) as a custom property (--colophon-folio) on the
   * page's margin boxes, which show it, because Chromium does not
   * scope a counter reset on one page box to the pages after it. The screen
   * edition's cover and the blank inside cover are not counted, so both PDFs
   * carry the same numbers. Front matter counts in roman numerals.
   */
  class Numbering extends Handler {
    constructor(chunker, polisher, caller) {
      super(chunker, polisher, caller);
      this.n = 0;
      this.arabic = !document.body.classList.contains('layout-book');
    }
    beforePageLayout(page) {
      const el = page.element;
      const body = document.body.classList;
      const uncounted = body.contains('layout-book') && body.contains('edition-screen') && page.position < 2;
      if (uncounted) {
        el.style.counterIncrement = 'none';
      } else if (el.classList.contains('pagedjs_opening_first_page')) {
        el.style.counterReset = 'page 0';
        this.n = 1;
        this.arabic = true;
      } else {
        this.n += 1;
      }
      const label = uncounted ? '' : this.arabic ? String(this.n) : roman(this.n);
      el.dataset.folio = label;
      // The same placeholder on every page while Paged.js lays pages out: the
      // Finish handler (finish.js) writes every page's folio on its margin
      // boxes once layout is done. A custom property that differs from page
      // to page, set on the page, is inherited by everything on it, and
      // Chromium then restyles the page's content markedly slower (a fifth to
      // a third more style time for a part of the novel).
      el.style.setProperty('--colophon-folio', '""');
    }
  }

  function roman(n) {
    const table = [[1000, 'm'], [900, 'cm'], [500, 'd'], [400, 'cd'], [100, 'c'], [90, 'xc'],
      [50, 'l'], [40, 'xl'], [10, 'x'], [9, 'ix'], [5, 'v'], [4, 'iv'], [1, 'i']];
    let out = '';
    for (const [v, s] of table) while (n >= v) { out += s; n -= v; }
    return out;
  }

  /**
   * Tables that continue on another page repeat their header row (Paged.js
   * does not). The header is added as the continuation is laid out, so the
   * page's height accounts for it.
   */
  class RepeatTableHeaders extends Handler {
    constructor(chunker, polisher, caller) {
      super(chunker, polisher, caller);
      this.heads = new Map();
      this.started = new Set();
    }
    afterParsed(parsed) {
      for (const table of parsed.querySelectorAll('table')) {
        const head = table.querySelector(':scope > thead');
        if (head && table.dataset.ref) this.heads.set(table.dataset.ref, head);
      }
    }
    // A table continued on a new page is rebuilt around its next row without
    // going through renderNode itself, so the header is added when that row is.
    renderNode(node) {
      const el = node.nodeType === 1 ? node : node.parentElement;
      const table = el && el.closest('table');
      const ref = table && table.dataset.ref;
      if (!ref || !this.heads.has(ref)) return;
      if (node === table && !this.started.has(ref)) {
        this.started.add(ref);
        return;
      }
      // Only body rows: white space and the header itself come before the header is in place.
      const inBody = el.closest('tbody, tfoot') !== null && el.closest('table') === table;
      if (this.started.has(ref) && inBody && !table.querySelector(':scope > thead')) {
        const copy = this.heads.get(ref).cloneNode(true);
        copy.setAttribute('aria-hidden', 'true');
        copy.classList.add('repeated-head');
        // Not a part of the source: Paged.js must not take it for the original header.
        for (const e of [copy, ...copy.querySelectorAll('[data-ref]')]) e.removeAttribute('data-ref');
        table.insertBefore(copy, table.firstChild);
      }
    }
  }

  /**
   * Line boxes of the text of `el` between two positions, as {col, top}.
   * Content that overflows a Paged.js page is laid out in a further CSS
   * column to the right, so a line is told by its column as well as its top.
   * Notes that float to the foot of the page are not lines of the paragraph.
   */
  function lineKeys(el, from, to, bounds) {
    const keys = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let started = !from;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('.footnote, [data-note]')) continue;
      let startOffset = 0;
      let endOffset = n.length;
      if (!started) {
        if (n !== from.node) continue;
        started = true;
        startOffset = from.offset;
      }
      if (to && n === to.node) endOffset = to.offset;
      const r = document.createRange();
      r.setStart(n, startOffset);
      r.setEnd(n, endOffset);
      for (const rect of r.getClientRects()) {
        if (rect.width === 0 || rect.height === 0) continue;
        // Past the right edge of the page area is overflow (laid out in further
        // columns); its lines are counted by their tops alone.
        const col = rect.left < bounds.right - 1 ? 0 : 1;
        // Same line when the boxes overlap vertically: superscripts sit higher but on the line.
        const line = keys.find((k) => k.col === col && rect.top < k.bottom - 1 && rect.bottom > k.top + 1);
        if (line) {
          line.top = Math.min(line.top, rect.top);
          line.bottom = Math.max(line.bottom, rect.bottom);
        } else {
          keys.push({ col, top: rect.top, bottom: rect.bottom });
        }
      }
      if (to && n === to.node) break;
    }
    return keys.sort((x, y) => x.col - y.col || x.top - y.top);
  }

  /** The position of the first word on line `index` (0-based) of `el`. */
  function lineStart(el, index, bounds) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('.footnote, [data-note]')) continue;
      const re = /\S+/g;
      let m;
      while ((m = re.exec(n.data))) {
        if (lineKeys(el, null, { node: n, offset: m.index + 1 }, bounds).length - 1 >= index) return { node: n, offset: m.index };
      }
    }
    return null;
  }

  /** A break position as a point in a text node: (element, offset) becomes the next text. */
  function textPosition(container, offset) {
    if (container.nodeType === 3) return { node: container, offset };
    if (container.nodeType !== 1) return null;
    const next = container.childNodes[offset];
    if (!next) return null;
    if (next.nodeType === 3) return { node: next, offset: 0 };
    const walker = document.createTreeWalker(next, NodeFilter.SHOW_TEXT);
    const text = walker.nextNode();
    return text ? { node: text, offset: 0 } : null;
  }

  function isBlockStart(block, at) {
    const r = document.createRange();
    r.selectNodeContents(block);
    r.setEnd(at.node, at.offset);
    return !r.toString().trim();
  }

  const TEXT_BLOCK = 'p, li, dd, dt, figcaption, blockquote > p';
  const HEADING = /^H[1-6]$/;

  /**
   * Widows and orphans (at least two lines of a paragraph of three or more on
   * either side of a page break) and headings kept with what follows. Paged.js
   * 0.4 breaks paragraphs wherever the page is full; this moves the break.
   */
  class KeepLines extends Handler {
    onOverflow(overflow, rendered, bounds) {
      if (!overflow) return;
      let range = overflow.cloneRange();
      const at = textPosition(range.startContainer, range.startOffset);
      if (at) {
        const block = at.node.parentElement && at.node.parentElement.closest(TEXT_BLOCK);
        // A break before the block's first text is a break between blocks, not inside one.
        if (block && rendered.contains(block) && !isBlockStart(block, at)) {
          const before = lineKeys(block, null, at, bounds).length;
          const after = lineKeys(block, at, null, bounds).length;
          // A break inside a line counts that line on both sides.
          const total = lineKeys(block, null, null, bounds).length;
          const linesBefore = Math.min(before, total - after);
          if (total >= 3 && linesBefore > 0) {
            if (linesBefore < 2) {
              range = this.before(block, rendered) || range;
            } else if (after < 2) {
              const keep = linesBefore - (2 - after);
              const pos = keep >= 2 ? lineStart(block, keep, bounds) : null;
              if (pos) range.setStart(pos.node, pos.offset);
              else range = this.before(block, rendered) || range;
            }
          }
        }
      }
      return this.keepHeadings(range, rendered);
    }

    /** A range starting before `el`, unless that would leave the page empty. */
    before(el, rendered) {
      const first = rendered.querySelector('.pagedjs_page_content > div') || rendered;
      const r = document.createRange();
      r.setStartBefore(el);
      r.setEndAfter(rendered.lastChild || el);
      const probe = document.createRange();
      probe.setStart(first, 0);
      probe.setEnd(r.startContainer, r.startOffset);
      return probe.toString().trim() ? r : null;
    }

    /** Never end a page with a heading: move the break before it. */
    keepHeadings(range, rendered) {
      for (let i = 0; i < 3; i++) {
        let node = range.startContainer.nodeType === 3 && range.startOffset === 0
          ? range.startContainer.parentElement
          : range.startContainer.nodeType === 1 ? range.startContainer.childNodes[range.startOffset] || range.startContainer : null;
        if (!node || node.nodeType !== 1) return range;
        let prev = node.previousElementSibling;
        while (!prev && node.parentElement && rendered.contains(node.parentElement)) {
          node = node.parentElement;
          prev = node.previousElementSibling;
        }
        if (!prev || !HEADING.test(prev.tagName)) return range;
        const moved = this.before(prev, rendered);
        if (!moved) return range;
        range = moved;
      }
      return range;
    }
  }

  /** Once laid out: page numbers, contents and cross-reference numbers (finish.js). */
  class Finish extends Handler {
    afterRendered() {
      if (window.colophonFinish) window.colophonFinish();
    }
  }

  registerHandlers(Numbering, RepeatTableHeaders, KeepLines, Finish);
})();
