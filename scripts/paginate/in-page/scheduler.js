// Runs before Paged.js. Paged.js paces its work with requestAnimationFrame
// and requestIdleCallback, one page per frame: in a headless browser that is
// waiting on a display that does not exist (about 16 ms a page at best, and
// far longer in a window Chromium treats as hidden, as every window but one
// is when parts are laid out side by side). Layout itself is synchronous
// (Paged.js measures with getBoundingClientRect), so running those callbacks
// as soon as the event loop is free changes when pages are made, not how.
(() => {
  const channel = new MessageChannel();
  const queue = [];
  channel.port1.onmessage = () => {
    const task = queue.shift();
    if (task) task();
  };
  const soon = (fn) => {
    queue.push(fn);
    channel.port2.postMessage(0);
  };
  let id = 0;
  const cancelled = new Set();
  window.requestAnimationFrame = (callback) => {
    const handle = ++id;
    soon(() => {
      if (!cancelled.delete(handle)) callback(performance.now());
    });
    return handle;
  };
  window.cancelAnimationFrame = (handle) => cancelled.add(handle);
  window.requestIdleCallback = (callback) => {
    const handle = ++id;
    soon(() => {
      if (!cancelled.delete(handle)) callback({ didTimeout: false, timeRemaining: () => 50 });
    });
    return handle;
  };
  window.cancelIdleCallback = (handle) => cancelled.add(handle);
})();
