// The worker thread of pdf-finish-worker.ts: finishes one PDF edition with
// finishPdf (pdf-finish.ts). Plain JavaScript, loaded as it is, so that the
// thread starts without the TypeScript loader and registers it for itself.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { finishPdf } = await import('./pdf-finish.ts');

parentPort.once('message', async ({ printed, map, meta, options }) => {
  try {
    parentPort.postMessage({ result: await finishPdf(printed, map, meta, options) });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) } });
  }
});
