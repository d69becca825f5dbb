// Runs inside the paginated page (loaded raw, not through the TypeScript
// loader, whose helpers do not exist in the browser). Reads where each
// chapter and section landed after Paged.js laid the book out.
window.colophonPageMap = function colophonPageMap() {
  const pages = [...document.querySelectorAll('.pagedjs_page')];
  const pageOf = (el) => pages.indexOf(el.closest('.pagedjs_page'));
  const topOf = (el, p) => el.getBoundingClientRect().top - pages[p].getBoundingClientRect().top;
  const first = pages[0].getBoundingClientRect();
  const bleedEl = pages[0].querySelector('.pagedjs_bleed-top');
  const chapterStarts = {};
  const outline = [];
  for (const section of document.querySelectorAll('section.chapter')) {
    if (section.dataset.splitFrom) continue;
    const p = pageOf(section);
    chapterStarts[section.id] = p + 1;
    const titleEl = section.querySelector('.chapter-title');
    const children = [...section.querySelectorAll('.chapter-body h2[id]')]
      .filter((h) => !h.closest('.footnotes') && !h.dataset.splitFrom)
      .map((h) => {
        const hp = pageOf(h);
        return { title: (h.textContent || '').trim(), page: hp, top: topOf(h, hp), children: [] };
      });
    outline.push({
      title: ((titleEl && titleEl.textContent) || section.id).trim(),
      page: p,
      top: titleEl ? topOf(titleEl, p) : 0,
      children,
    });
  }
  // Each note must sit on the page of its call (ids: ch-01-fnref-x → ch-01-fn-x).
  const notesAway = [];
  for (const call of document.querySelectorAll('sup.note-call[id]')) {
    const note = document.getElementById(call.id.replace('-fnref-', '-fn-'));
    if (!note) continue;
    const callPage = pageOf(call) + 1;
    const notePage = pageOf(note) + 1;
    if (callPage !== notePage) notesAway.push({ id: call.id, callPage, notePage });
  }
  // Where each page begins in the source: the first numbered block on it, and
  // for a block continued from the page before, the text the page starts with.
  const pageStarts = pages.map((page) => {
    const el = page.querySelector('.pagedjs_page_content [data-pos]');
    if (!el) return null;
    // A repeated table header is not part of the source text the page starts with.
    const copy = el.cloneNode(true);
    for (const head of copy.querySelectorAll('.repeated-head')) head.remove();
    const text = (copy.textContent || '').replace(/\u00AD/g, '').replace(/\s+/g, ' ').trim().slice(0, 60);
    return { pos: el.dataset.pos, continued: Boolean(el.dataset.splitFrom), text };
  });
  return {
    pageStarts,
    notesAway,
    lonelyLines: lonelyLines(pages),
    pageCount: pages.length,
    folios: pages.map((p) => p.dataset.folio || ''),
    width: first.width,
    height: first.height,
    bleed: bleedEl ? bleedEl.getBoundingClientRect().height : 0,
    chapterStarts,
    outline,
  };
};

// Paragraph fragments split over pages that leave a single line of a
// paragraph of three or more lines alone at the foot or head of a page.
function lonelyLines(pages) {
  const lines = (el) => {
    const tops = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('.footnote, [data-note]')) continue;
      const r = document.createRange();
      r.selectNodeContents(n);
      for (const rect of r.getClientRects()) {
        if (!rect.height) continue;
        const line = tops.find((t) => rect.top < t.bottom - 1 && rect.bottom > t.top + 1);
        if (line) {
          line.top = Math.min(line.top, rect.top);
          line.bottom = Math.max(line.bottom, rect.bottom);
        } else {
          tops.push({ top: rect.top, bottom: rect.bottom });
        }
      }
    }
    return tops.length;
  };
  const fragments = new Map();
  pages.forEach((page, index) => {
    for (const el of page.querySelectorAll('p[data-ref], li[data-ref], dd[data-ref]')) {
      if (!el.dataset.splitTo && !el.dataset.splitFrom) continue;
      const list = fragments.get(el.dataset.ref) || [];
      list.push({ page: index + 1, lines: lines(el) });
      fragments.set(el.dataset.ref, list);
    }
  });
  const found = [];
  for (const [ref, parts] of fragments) {
    const total = parts.reduce((n, p) => n + p.lines, 0);
    if (parts.length < 2 || total < 3) continue;
    const first = parts[0];
    const last = parts[parts.length - 1];
    if (first.lines < 2) found.push({ ref, page: first.page, where: 'foot' });
    if (last.lines < 2) found.push({ ref, page: last.page, where: 'head' });
  }
  return found;
}
