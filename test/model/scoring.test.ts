// ORT's integer logits do not depend on how rows are batched or how many threads compute them: the property that
// lets the encoder score a whole chunk at once while the decoder scores one byte per step.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeContextRows } from '../../electron/engine/model/contexts.ts';
import { ModelRegistry, type BundledModel } from '../../electron/engine/model/manifest.ts';
import { NetworkSession } from '../../electron/engine/model/network-session.ts';
import { randomContexts } from './random-contexts.ts';

let model: BundledModel;
let oneThread: NetworkSession;
let twoThreads: NetworkSession;

beforeAll(async () => {
  model = ModelRegistry.open().defaultModel();
  oneThread = await NetworkSession.open(model, { intraOpNumThreads: 1 });
  twoThreads = await NetworkSession.open(model, { intraOpNumThreads: 2 });
});
afterAll(async () => {
  await oneThread?.close();
  await twoThreads?.close();
});

function firstDifference(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('scoring', () => {
  it('scores a whole chunk in one call exactly as one position per call', async () => {
    // A real text sample (not from the benchmark corpus), long enough to leave the padded start behind.
    const chunk = new Uint8Array(readFileSync(new URL('../../docs/MODEL.md', import.meta.url))).subarray(0, 600);
    const k = oneThread.context;
    const all = NetworkSession.allocateContexts(chunk.length, k);
    writeContextRows(chunk, 0, chunk.length, k, all.words);
    const parallel = (await oneThread.score(all.int64, chunk.length)).slice();
    const stepwise = new Int32Array(chunk.length * 256);
    const one = NetworkSession.allocateContexts(1, k);
    for (let t = 0; t < chunk.length; t++) {
      writeContextRows(chunk, t, 1, k, one.words);
      stepwise.set(await oneThread.score(one.int64, 1), t * 256);
    }
    expect(firstDifference(parallel, stepwise)).toBe(-1);
    // Rows differ from each other, so the comparison is not between copies of one row.
    expect(firstDifference(parallel.subarray(0, 256), parallel.subarray(256 * 100, 256 * 101))).not.toBe(-1);
  });

  it('gives identical logits with 1 and 2 intra-op threads', async () => {
    const rows = 4096;
    const contexts = randomContexts(rows, oneThread.context, 7);
    const a = await oneThread.scoreSymbols(contexts, rows);
    const b = await twoThreads.scoreSymbols(contexts, rows);
    expect(firstDifference(a, b)).toBe(-1);
  });

  it('gives identical logits for batch sizes 1, 3, 64 and all rows', async () => {
    const rows = 200;
    const k = oneThread.context;
    const contexts = randomContexts(rows, k, 11);
    const whole = await oneThread.scoreSymbols(contexts, rows);
    for (const batch of [1, 3, 64]) {
      const pieced = new Int32Array(rows * 256);
      for (let r = 0; r < rows; r += batch) {
        const n = Math.min(batch, rows - r);
        pieced.set(await oneThread.scoreSymbols(contexts.subarray(r * k, (r + n) * k), n), r * 256);
      }
      expect(firstDifference(whole, pieced), `batch ${batch}`).toBe(-1);
    }
  });
});
