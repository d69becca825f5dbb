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
  return {
    pageCount: pages.length,
    folios: pages.map((p) => p.dataset.folio || ''),
    width: first.width,
    height: first.height,
    bleed: bleedEl ? bleedEl.getBoundingClientRect().height : 0,
    chapterStarts,
    outline,
  };
};
