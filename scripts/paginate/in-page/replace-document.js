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
  // A stylesheet Paged.js leaves to the browser (the font faces) that the
  // next part shares stays in the document, so the faces it loaded stay
  // loaded and decoded; everything else is the new part's.
  const kept = new Map();
  for (const link of document.querySelectorAll('link[rel~="stylesheet"][data-pagedjs-ignore]')) kept.set(link.getAttribute('href'), link);
  const root = document.documentElement;
  const next = doc.documentElement;
  for (const name of root.getAttributeNames()) root.removeAttribute(name);
  for (const name of next.getAttributeNames()) root.setAttribute(name, next.getAttribute(name));
  const keep = new Set();
  for (const link of doc.head.querySelectorAll('link[rel~="stylesheet"][data-pagedjs-ignore]')) {
    const old = kept.get(link.getAttribute('href'));
    if (old) {
      link.remove();
      keep.add(old);
    }
  }
  for (const node of [...root.childNodes]) if (node !== document.head) node.remove();
  for (const node of [...document.head.childNodes]) if (!keep.has(node)) node.remove();
  document.head.append(...[...doc.head.childNodes].map((n) => document.adoptNode(n)));
  root.append(document.adoptNode(doc.body));
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
