// Starts a worker thread on one of the engine's modules. From source (.ts) the thread must first register tsx,
// as bin/octozip.js does for the main thread; from a build (.js) it imports directly. An eval'd CommonJS
// bootstrap does either.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `entry` is the module's URL as resolved beside its caller: `new URL('./x-worker.ts', import.meta.url)`. */
export function startModuleWorker(entry: URL, data: unknown): Worker {
  const url = new URL(entry.href.replace(/\.ts$/, import.meta.url.endsWith('.ts') ? '.ts' : '.js'));
  let tsx: string | null = null;
  if (url.pathname.endsWith('.ts')) {
    const resolved = (() => {
      try {
        return fileURLToPath(import.meta.resolve('tsx/esm/api'));
      } catch {
        return createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
      }
    })();
    tsx = pathToFileURL(resolved).href;
  }
  const code = `const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => { setImmediate(() => { throw err; }); });`;
  return new Worker(code, { eval: true, workerData: { data, entry: url.href, tsx } });
}
