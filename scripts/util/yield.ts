/**
 * Lets Node answer what waits on its event loop (above all the browser's
 * protocol messages) between steps of a long synchronous stretch of work.
 * Worker pages are made ready while Node parses and renders (worker-pages.ts),
 * and each of their protocol round trips otherwise waits for the whole
 * stretch: opening a page took 0.65 s of a one-chapter rebuild that way.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
