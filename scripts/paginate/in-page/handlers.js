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
   * references use the same numbers. Folios are written as a custom property
   * (--colophon-folio) that the margin boxes show, because Chromium does not
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
      el.style.setProperty('--colophon-folio', JSON.stringify(label));
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
    }
    afterParsed(parsed) {
      for (const table of parsed.querySelectorAll('table')) {
        const head = table.querySelector(':scope > thead');
        if (head && table.dataset.ref) this.heads.set(table.dataset.ref, head);
      }
    }
    renderNode(node) {
      if (node.nodeType !== 1 || node.tagName !== 'TABLE' || !node.dataset.splitFrom) return;
      const head = this.heads.get(node.dataset.ref);
      if (head && !node.querySelector(':scope > thead')) {
        const copy = head.cloneNode(true);
        copy.setAttribute('aria-hidden', 'true');
        copy.classList.add('repeated-head');
        node.insertBefore(copy, node.firstChild);
      }
    }
  }

  registerHandlers(Numbering, RepeatTableHeaders);
})();
