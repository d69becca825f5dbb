// Lets one page lay out part after part without navigating: the next part's
// HTML replaces the document, and the Paged.js already evaluated in the page
// lays it out with a new Previewer. A navigation costs each part a new
// document, a new JavaScript world and the Paged.js bundle evaluated again
// (about 150 ms a part here). The page keeps its address and policy; the
// parts of one edition share a folder, so relative URLs resolve the same.
// Resolves with the number of pages the replaced document held.
(function () {
  // The stylesheets Paged.js reads itself (Previewer.removeStyles takes them
  // out of the document and Polisher.add fetches them), as it selects them.
  const PAGED_SHEETS = "link[rel='stylesheet']:not([data-pagedjs-ignore], [media~='screen']), style:not([data-pagedjs-inserted-styles], [data-pagedjs-ignore], [media~='screen'])";

  // Their text by URL, read once per page: the parts of an edition share
  // them, and every request is a round trip through the build's request
  // filter. A page lays out the parts of one build only.
  const texts = new Map();
  // As Paged.js's own request(): XHR, which reads file: URLs; an error rejects.
  const read = (url) =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('get', url, true);
      xhr.onload = () => resolve(xhr.responseText);
      xhr.onerror = reject;
      xhr.send(null);
    });
  const textOf = (url) => {
    let text = texts.get(url);
    if (!text) {
      text = read(url);
      texts.set(url, text);
      text.catch(() => texts.delete(url));
    }
    return text;
  };

  /**
   * Takes the stylesheets Paged.js would read out of `doc`, in their order,
   * and starts reading them: resolves with them as Polisher.add takes them
   * (URL → text), for Previewer.preview to use instead of removeStyles().
   */
  const takeSheets = (doc) =>
    Promise.all(
      [...doc.querySelectorAll(PAGED_SHEETS)].map((el) => {
        el.remove();
        // A document DOMParser makes has the page's URL: hrefs resolve as they would in the page.
        if (el.nodeName === 'LINK') return textOf(el.href).then((text) => ({ [el.href]: text }));
        return { [window.location.href]: el.textContent };
      }),
    );

  // The stylesheets taken from the document last replaced, for its preview.
  let sheets = Promise.resolve([]);

  window.colophonReplaceDocument = function colophonReplaceDocument(html) {
    const replaced = document.querySelectorAll('.pagedjs_page').length;
    const doc = new DOMParser().parseFromString(html, 'text/html');
    // Read while the font faces load, instead of after (the browser's own
    // load of the links, then Paged.js's): one wave of requests, not two.
    sheets = takeSheets(doc);
    sheets.catch(() => undefined);
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
    // As a navigation's load event would: every stylesheet left to the
    // browser in (the font faces), whose planned faces then start loading
    // while Paged.js parses the other stylesheets (font-loads.js waits for them).
    const links = [...document.querySelectorAll('link[rel~="stylesheet"]')];
    const loaded = (link) =>
      new Promise((resolve) => {
        link.addEventListener('load', resolve);
        link.addEventListener('error', resolve);
      });
    return Promise.all(links.map((link) => (link.sheet ? undefined : loaded(link)))).then(() => {
      window.colophonLoadPlannedFaces();
      return replaced;
    });
  };

  /** Lays the replaced document out with a new Previewer, given the stylesheets taken from it. */
  window.colophonPreviewReplaced = function colophonPreviewReplaced() {
    return sheets.then((taken) => (window.PagedPolyfill = new window.Paged.Previewer()).preview(undefined, taken));
  };
})();
