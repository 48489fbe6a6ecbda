// The embedded WebAssembly module is the one the AssemblyScript sources compile to (`npm ci` builds it; a
// stale one would code with old rules), and it instantiates in a worker thread as the engine's workers need.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CODER_WASM_BASE64 } from '../../electron/engine/coder/coder-wasm.generated.ts';
import { decodeBytes, encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { compileCoder, GENERATED, generatedSource } from '../../scripts/build-wasm.mjs';

describe('the WebAssembly coder module', () => {
  it('is current: the sources compile to the embedded module', async () => {
    const binary = await compileCoder();
    expect(Buffer.from(binary).equals(Buffer.from(CODER_WASM_BASE64, 'base64'))).toBe(true);
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedSource(binary));
  }, 120_000);

  it('codes with a variant module only where asked, and never pools its instances with the bundled ones', async () => {
    // A variant is a changed copy of the sources (test/coder/compare-variants.ts measures model changes so).
    const dir = mkdtempSync(path.join(tmpdir(), 'octozip-variant-'));
    try {
      cpSync(fileURLToPath(new URL('../../electron/engine/coder/assembly', import.meta.url)), dir, { recursive: true });
      const file = path.join(dir, 'match-model.ts');
      const source = readFileSync(file, 'utf8');
      expect(source).toContain('const MIN_LEN = 6;');
      writeFileSync(file, source.replace('const MIN_LEN = 6;', 'const MIN_LEN = 9;'));
      const variant = new WebAssembly.Module(await compileCoder(dir));
      const data = new TextEncoder().encode('A match model finds the last place these bytes occurred. '.repeat(60));
      const bundled = encodeBytes(data, undefined, { tableBits: 16 });
      const changed = encodeBytes(data, undefined, { tableBits: 16, variant });
      expect(Buffer.from(changed).equals(Buffer.from(bundled))).toBe(false);
      expect(Buffer.from(decodeBytes(changed, data.length, undefined, { tableBits: 16, variant })).equals(Buffer.from(data))).toBe(true);
      // The variant's instance went back to its own spare, not to the pool the codecs draw from.
      expect(Buffer.from(encodeBytes(data, undefined, { tableBits: 16 })).equals(Buffer.from(bundled))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
