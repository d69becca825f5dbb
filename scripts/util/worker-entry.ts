/**
 * Where a worker thread's code is: the compiled entry point in lib/
 * (compile.ts), or the TypeScript source, which a worker can only load once
 * tsx's loader is registered in it (a worker does not take --import from
 * execArgv).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface WorkerEntry {
  code: string | URL;
  eval: boolean;
}

/**
 * The Node options a worker takes from its process: all but --input-type,
 * which a process evaluating a module string was started with (node
 * --input-type=module -e …) and which a worker loading a file refuses.
 */
export function workerExecArgv(): string[] {
  return process.execArgv.filter((arg, i, all) => !arg.startsWith('--input-type') && all[i - 1] !== '--input-type');
}

/**
 * @param callerUrl the calling module's import.meta.url
 * @param source the worker's source, relative to the calling module (`./parse-worker.ts`)
 * @param compiled the worker's compiled file, relative to lib/ (`parse/parse-worker.js`)
 */
export function workerEntry(callerUrl: string, source: string, compiled: string): WorkerEntry {
  if (callerUrl.endsWith('.ts')) {
    const tsx = createRequire(callerUrl).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs');
    const file = new URL(source, callerUrl);
    return { code: `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`, eval: true };
  }
  // Compiled, the caller's code lies in lib/ or lib/chunks/.
  for (const rel of [`./${compiled}`, `../${compiled}`]) {
    const file = new URL(rel, callerUrl);
    if (fs.existsSync(file)) return { code: file, eval: false };
  }
  throw new Error(`The worker ${compiled} is missing beside ${callerUrl}: run npm run compile again.`);
}
