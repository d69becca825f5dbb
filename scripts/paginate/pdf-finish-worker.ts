/**
 * finishPdf in a worker thread. Merging the printed parts, adding bookmarks
 * and saving are pure JavaScript (pdf-lib), about a second for the novel: in a
 * thread of their own the two PDF editions are finished side by side while the
 * main thread packages the EPUB and keeps talking to Chromium. The thread is
 * started when an edition starts, so its modules load while pages are laid out.
 */
import { Worker } from 'node:worker_threads';
import type { finishPdf } from './pdf-finish.ts';

type Args = Parameters<typeof finishPdf>;
type Result = Awaited<ReturnType<typeof finishPdf>>;

export interface PdfFinisher {
  finish(...args: Args): Promise<Result>;
  /** Stops the thread (after a failed build, or when finish was never called). */
  close(): Promise<void>;
}

export function startPdfFinisher(): PdfFinisher {
  // No inherited flags: the thread registers the TypeScript loader itself.
  const worker = new Worker(new URL('./pdf-finish-thread.js', import.meta.url), { execArgv: [] });
  const settled = new Promise<{ result?: Result; error?: { message: string; stack?: string } }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The PDF finishing thread stopped (exit status ${code}).`)));
  });
  settled.catch(() => undefined);
  return {
    async finish(printed, map, meta, options) {
      worker.postMessage({ printed, map, meta, options });
      try {
        const { result, error } = await settled;
        if (error) throw Object.assign(new Error(error.message), { stack: error.stack });
        return { bytes: new Uint8Array(result!.bytes), pages: result!.pages };
      } finally {
        await worker.terminate();
      }
    },
    async close() {
      await worker.terminate();
    },
  };
}
