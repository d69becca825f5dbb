// Runs inside a paginated document, after Paged.js (one document) or after
// the pages of separately paginated parts were joined (loaded raw, not
// through the TypeScript loader). It gives every page its number and fills
// in page references, so both paths produce the same pages.
window.colophonFinish = function colophonFinish() {
  const body = document.body.classList;
  const book = body.contains('layout-book');
  const screen = body.contains('edition-screen');

  // Blank versos between parts: clones of the page before, emptied.
  for (const slot of document.querySelectorAll('.colophon-blank-slot')) {
    const before = slot.previousElementSibling;
    const blank = before.cloneNode(true);
    blank.className = 'pagedjs_page pagedjs_blank_page';
    for (const area of blank.querySelectorAll('.pagedjs_page_content, .pagedjs_footnote_inner_content')) area.replaceChildren();
    blank.removeAttribute('style');
    slot.replaceWith(blank);
  }

  const pages = [...document.querySelectorAll('.pagedjs_pages > .pagedjs_page')];
  let n = 0;
  let arabic = !book;
  pages.forEach((page, i) => {
    page.id = `page-${i + 1}`;
    page.dataset.pageNumber = String(i + 1);
    page.classList.toggle('pagedjs_first_page', i === 0);
    page.classList.toggle('pagedjs_right_page', i % 2 === 0);
    page.classList.toggle('pagedjs_left_page', i % 2 === 1);
    // Same rules as the Numbering handler: uncounted cover pages, roman front matter,
    // arabic from the first chapter.
    const uncounted = book && screen && i < 2;
    if (!uncounted) {
      if (page.classList.contains('pagedjs_opening_first_page')) {
        n = 1;
        arabic = true;
      } else {
        n += 1;
      }
    }
    const label = uncounted ? '' : arabic ? String(n) : roman(n);
    page.dataset.folio = label;
    page.style.setProperty('--colophon-folio', JSON.stringify(label));
  });

  // Contents and cross-references: the number of the page their target starts on.
  const folioOf = (id) => {
    const target = document.getElementById(id);
    const page = target && target.closest('.pagedjs_page');
    return page ? page.dataset.folio : '';
  };
  for (const link of document.querySelectorAll('a.toc-link, a.xref')) {
    const href = link.getAttribute('href') || '';
    if (href.startsWith('#')) link.dataset.page = folioOf(decodeURIComponent(href.slice(1)));
  }
  return pages.length;

  function roman(value) {
    const table = [[1000, 'm'], [900, 'cm'], [500, 'd'], [400, 'cd'], [100, 'c'], [90, 'xc'],
      [50, 'l'], [40, 'xl'], [10, 'x'], [9, 'ix'], [5, 'v'], [4, 'iv'], [1, 'i']];
    let out = '';
    for (const [v, s] of table) while (value >= v) { out += s; value -= v; }
    return out;
  }
};

// The laid-out pages of one part and every style rule in force, so that parts
// paginated in separate browser pages can be joined into one document.
window.colophonSerialize = function colophonSerialize() {
  const rules = [];
  for (const sheet of document.styleSheets) {
    let list;
    try {
      list = sheet.cssRules;
    } catch {
      continue;
    }
    for (const rule of list) rules.push(rule.cssText);
  }
  const container = document.querySelector('.pagedjs_pages');
  // Paged.js writes running-head strings as custom properties with an unclosed
  // quote ("Title). That is valid CSS only at the end of a declaration list
  // set through the CSSOM; written out as an attribute it would swallow the
  // declarations after it, so close the quotes first.
  for (const page of container.children) {
    for (const name of [...page.style]) {
      if (!name.startsWith('--pagedjs-string-')) continue;
      const value = page.style.getPropertyValue(name).trim();
      if (value.startsWith('"') && !/[^\\]"$/.test(value.slice(1)) && value !== '""') {
        page.style.setProperty(name, `${value}"`);
      }
    }
  }
  return {
    rules,
    pages: [...container.children].filter((p) => p.classList.contains('pagedjs_page')).map((p) => p.outerHTML),
    htmlStyle: document.documentElement.getAttribute('style') || '',
    lang: document.documentElement.getAttribute('lang') || '',
    title: document.title,
    bodyClass: document.body.className,
    pagesStyle: container.getAttribute('style') || '',
  };
};
