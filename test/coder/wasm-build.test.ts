// The embedded WebAssembly module is the one the AssemblyScript sources compile to (`npm ci` builds it; a
// stale one would code with old rules), and it instantiates in a worker thread as the engine's workers need.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CODER_WASM_BASE64 } from '../../electron/engine/coder/coder-wasm.generated.ts';
import { encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { compileCoder, GENERATED, generatedSource } from '../../scripts/build-wasm.mjs';

describe('the WebAssembly coder module', () => {
  it('is current: the sources compile to the embedded module', async () => {
    const binary = await compileCoder();
    expect(Buffer.from(binary).equals(Buffer.from(CODER_WASM_BASE64, 'base64'))).toBe(true);
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedSource(binary));
  }, 120_000);

  it('imports nothing from its host', () => {
    const module = new WebAssembly.Module(Buffer.from(CODER_WASM_BASE64, 'base64'));
    expect(WebAssembly.Module.imports(module)).toEqual([]);
  });

  it('codes in a worker thread to the same bytes as here', async () => {
    const data = new TextEncoder().encode('Workers code chunks in parallel, each with instances of its own. '.repeat(40));
    const url = new URL('../../electron/engine/coder/cm-stream.ts', import.meta.url).href;
    // The worker runs the TypeScript source through tsx, as the engine's workers do from a source checkout.
    const worker = new Worker(
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); })` +
        `.then((m) => require('node:worker_threads').parentPort.postMessage(m.encodeBytes(require('node:worker_threads').workerData, undefined, { tableBits: 15 })));`,
      { eval: true, workerData: data },
    );
    const fromWorker = await new Promise<Uint8Array>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(Buffer.from(fromWorker).equals(Buffer.from(encodeBytes(data, undefined, { tableBits: 15 })))).toBe(true);
  }, 60_000);
});
