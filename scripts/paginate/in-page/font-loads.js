// Paged.js loads every @font-face of the document before it lays out
// (Chunker.loadFonts), so that no font arrives in the middle of a page. With
// a plan (fonts/font-plan.ts, given as window.colophonFontPlan: family → runs
// of the code points it draws), only the faces of a family whose
// unicode-range meets its code points are loaded, and the faces Chromium is
// loading already are waited for. Without one, Paged.js loads them all.
(function () {
  const chunker = window.Paged.Chunker.prototype;
  const loadAll = chunker.loadFonts;

  /** [first, last] pairs of a FontFace's unicodeRange ("U+20-7E, U+A0, U+30??"). */
  const rangesOf = (text) => {
    const out = [];
    for (const m of text.matchAll(/U\+([0-9A-F?]+)(?:-([0-9A-F]+))?/gi)) {
      const [, a, b] = m;
      if (a.includes('?')) out.push([parseInt(a.replace(/\?/g, '0'), 16), parseInt(a.replace(/\?/g, 'F'), 16)]);
      else out.push([parseInt(a, 16), parseInt(b ?? a, 16)]);
    }
    return out;
  };

  /** Whether the sorted, disjoint runs meet [a, b]: the first run ending at or after a starts at or before b. */
  const meets = (runs, [a, b]) => {
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runs[mid][1] < a) lo = mid + 1;
      else hi = mid;
    }
    return lo < runs.length && runs[lo][0] <= b;
  };

  /**
   * Starts loading the planned faces not loaded yet and returns their loads
   * (those Chromium is loading already included); none without a plan.
   * Called as soon as a replaced document's faces are in (replace-document.js)
   * and again by loadFonts, which then waits for them.
   */
  window.colophonLoadPlannedFaces = function colophonLoadPlannedFaces() {
    const plan = window.colophonFontPlan;
    const loads = [];
    if (!plan) return loads;
    for (const face of document.fonts) {
      if (face.status === 'loaded') continue;
      const runs = plan[face.family.replace(/^["']|["']$/g, '')];
      const wanted = face.status !== 'unloaded' || (runs && rangesOf(face.unicodeRange).some((range) => meets(runs, range)));
      if (wanted) loads.push(face.load().catch(() => undefined));
    }
    return loads;
  };

  chunker.loadFonts = function loadFonts() {
    if (!window.colophonFontPlan) return loadAll.call(this);
    return Promise.all(window.colophonLoadPlannedFaces());
  };
})();
