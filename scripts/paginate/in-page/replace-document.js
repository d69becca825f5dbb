// Lets one page lay out part after part without navigating: the next part's
// HTML replaces the document, and the Paged.js already evaluated in the page
// lays it out with a new Previewer. A navigation costs each part a new
// document, a new JavaScript world and the Paged.js bundle evaluated again
// (about 150 ms a part here). The page keeps its address and policy; the
// parts of one edition share a folder, so relative URLs resolve the same.
// Resolves with the number of pages the replaced document held.
window.colophonReplaceDocument = function colophonReplaceDocument(html) {
  const replaced = document.querySelectorAll('.pagedjs_page').length;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  // Inert until Paged.js pours it into pages, as Previewer.wrapContent would
  // leave it; the browser does not lay it out as one long page meanwhile.
  const template = doc.createElement('template');
  template.dataset.ref = 'pagedjs-content';
  template.content.append(...doc.body.childNodes);
  doc.body.append(template);
  document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
  // As a navigation's load event would: every stylesheet in (the font faces
  // among them, which Paged.js leaves to the browser).
  const links = [...document.querySelectorAll('link[rel~="stylesheet"]')];
  const loaded = (link) =>
    new Promise((resolve) => {
      link.addEventListener('load', resolve);
      link.addEventListener('error', resolve);
    });
  return Promise.all(links.map((link) => (link.sheet ? undefined : loaded(link)))).then(() => replaced);
};
