/**
 * The helper thread of parse-threads.ts: takes the next job from the counter
 * it shares with the main thread until none is left, and answers each.
 * A chapter that throws is answered as failed and the helper stops: the
 * main thread parses it again, and the error comes from there as it would
 * without a helper.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseJob, type HelperAnswer, type HelperData } from './parse-threads.ts';

if (!parentPort) throw new Error('parse-worker.ts runs in a worker thread (parse-threads.ts starts it).');
const port = parentPort;
const { jobs, common, next } = workerData as HelperData;
const counter = new Int32Array(next);
const answer = (message: HelperAnswer) => port.postMessage(message);

for (let taken; (taken = Atomics.add(counter, 0, 1)) < jobs.length; ) {
  try {
    const { chapter, diagnostics } = parseJob(jobs[taken], common);
    const { source: _source, ...rest } = chapter;
    answer({ job: taken, chapter: rest, diagnostics });
  } catch {
    answer({ job: taken, failed: true });
    break;
  }
}
answer({ done: true });
