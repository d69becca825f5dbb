// Runs inside a paginated document, after Paged.js (one document) or after
// the pages of separately paginated parts were joined (loaded raw, not
// through the TypeScript loader). It gives every page its number and fills
// in page references, so both paths produce the same pages.
window.colophonFinish = function colophonFinish(options) {
  // A book printed in chunks (see paginate/chunks.ts) finishes each chunk with
  // the page numbers worked out for the whole book: where the chunk starts, the
  // folio of each of its pages, and the folio of every link target elsewhere.
  const offset = (options && options.offset) || 0;
  const given = options && options.folios;
  const away = (options && options.targets) || {};
  const body = document.body.classList;

  // Blank versos between parts: clones of the page before, emptied.
  for (const slot of document.querySelectorAll('.colophon-blank-slot')) {
    const before = slot.previousElementSibling;
    const blank = before.cloneNode(true);
    blank.className = 'pagedjs_page pagedjs_blank_page';
    for (const area of blank.querySelectorAll('.pagedjs_page_content, .pagedjs_footnote_inner_content')) area.replaceChildren();
    blank.removeAttribute('style');
    blank.removeAttribute('id');
    for (const el of blank.querySelectorAll('[id]')) el.removeAttribute('id');
    slot.replaceWith(blank);
  }

  const pages = [...document.querySelectorAll('.pagedjs_pages > .pagedjs_page')];
  const labels = given || window.colophonFolioLabels(pages.map((p) => p.className), body.contains('layout-book'), body.contains('edition-screen'));
  pages.forEach((page, i) => {
    const n = offset + i;
    page.id = `page-${n + 1}`;
    page.dataset.pageNumber = String(n + 1);
    page.classList.toggle('pagedjs_first_page', n === 0);
    page.classList.toggle('pagedjs_right_page', n % 2 === 0);
    page.classList.toggle('pagedjs_left_page', n % 2 === 1);
    page.dataset.folio = labels[i];
    // On the margin holders, not the page: a property set on the page is
    // inherited by its content too, and Chromium would restyle every element
    // of every page once more before printing (a third of a second per part
    // of the novel).
    const folio = JSON.stringify(labels[i]);
    for (const box of page.querySelectorAll('.pagedjs_pagebox > :not(.pagedjs_area)')) box.style.setProperty('--colophon-folio', folio);
  });

  // Contents and cross-references: the number of the page their target starts on.
  const folioOf = (id) => {
    if (Object.prototype.hasOwnProperty.call(away, id)) return away[id];
    const target = document.getElementById(id);
    const page = target && target.closest('.pagedjs_page');
    return page ? page.dataset.folio : '';
  };
  for (const link of document.querySelectorAll('a.toc-link, a.xref')) {
    const href = link.getAttribute('href') || '';
    if (href.startsWith('#')) link.dataset.page = folioOf(decodeURIComponent(href.slice(1)));
  }
  // Chromium makes a link only to an element of the same document: targets in
  // other chunks get a stand-in here, and the merged PDF points the link's
  // named destination at the real one.
  const holder = pages[0] && pages[0].querySelector('.pagedjs_page_content');
  for (const id of Object.keys(away)) {
    if (!holder || document.getElementById(id)) continue;
    const stand = document.createElement('span');
    stand.id = id;
    stand.className = 'colophon-away';
    stand.style.cssText = 'position:absolute;top:0;left:0;width:0;height:0;overflow:hidden';
    holder.append(stand);
  }
  return pages.length;
};

// The folio of every page from its classes: uncounted cover pages (the first
// two of a screen book), roman front matter, arabic from the first chapter.
// Pure, so that a book printed in chunks can number all its pages at once
// (evaluated in Node too).
window.colophonFolioLabels = function colophonFolioLabels(classNames, book, screen) {
  let n = 0;
  let arabic = !book;
  return classNames.map((className, i) => {
    if (book && screen && i < 2) return '';
    if (` ${className} `.includes(' pagedjs_opening_first_page ')) {
      n = 1;
      arabic = true;
    } else {
      n += 1;
    }
    return arabic ? String(n) : roman(n);
  });

  function roman(value) {
    const table = [[1000, 'm'], [900, 'cm'], [500, 'd'], [400, 'cd'], [100, 'c'], [90, 'xc'],
      [50, 'l'], [40, 'xl'], [10, 'x'], [9, 'ix'], [5, 'v'], [4, 'iv'], [1, 'i']];
    let out = '';
    for (const [v, s] of table) while (value >= v) { out += s; value -= v; }
    return out;
  }
};

function absoluteUrls(css, base) {
  return css.replace(/url\((["']?)([^"')]+)\1\)/g, (whole, _quote, url) => {
    try {
      return `url("${new URL(url, base).href}")`;
    } catch {
      return whole;
    }
  });
}

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
    // A linked sheet Paged.js left alone (the font faces) keeps its URLs as
    // written, relative to itself; the joined documents live elsewhere.
    const base = sheet.href;
    for (const rule of list) rules.push(base ? absoluteUrls(rule.cssText, base) : rule.cssText);
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
