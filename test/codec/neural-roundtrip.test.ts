// The neural codec end to end on the real bundled model: encoding scores whole segments in parallel, decoding
// steps lanes one byte at a time, and the bytes come back exactly; payloads do not depend on threads or batching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNeuralCodec, parsePayload, segmentLengths, type NeuralCodec } from '../../electron/engine/codecs/neural.ts';
import { ModelRegistry } from '../../electron/engine/model/manifest.ts';
import { binarySample, textSample } from './samples.ts';

let inProcess: NeuralCodec;
let withWorkers: NeuralCodec;

beforeAll(async () => {
  inProcess = await createNeuralCodec({ segmentBytes: 4096, workers: 0 });
  withWorkers = await createNeuralCodec({ segmentBytes: 4096, workers: 2 });
});
afterAll(async () => {
  await inProcess?.close();
  await withWorkers?.close();
});

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

describe('neural codec', () => {
  it('round-trips text, binary, empty, one byte and chunks of different lengths in one batch', async () => {
    const chunks = [textSample(20_000), binarySample(9_000), new Uint8Array(0), Uint8Array.of(0x41), textSample(4097), Uint8Array.of(0, 255)];
    const encoded = await inProcess.encodeBatch(chunks);
    // Text compresses: the codec does real work (bits per byte well under 8).
    expect(encoded[0]!.payload.length).toBeLessThan(chunks[0]!.length * 0.75);
    const decoded = await inProcess.decodeBatch(encoded.map((e, i) => ({ payload: e.payload, rawSize: chunks[i]!.length })));
    decoded.forEach((d, i) => expect(same(d, chunks[i]!), `chunk ${i}`).toBe(true));
    // The 20 000-byte chunk was cut into 5 segments, decoded as lanes alongside the other chunks' segments.
    const model = ModelRegistry.open().defaultModel();
    expect(parsePayload(model, encoded[0]!.payload, 20_000).lanes.map((l) => l.rawSize)).toEqual(segmentLengths(20_000, 4096));
  });

  it('makes identical payloads on the calling thread and on worker threads, and each decodes the other', async () => {
    const chunks = [textSample(12_000), binarySample(5_000, 2)];
    const a = await inProcess.encodeBatch(chunks);
    const b = await withWorkers.encodeBatch(chunks);
    a.forEach((e, i) => expect(same(e.payload, b[i]!.payload), `chunk ${i}`).toBe(true));
    const decoded = await withWorkers.decodeBatch(a.map((e, i) => ({ payload: e.payload, rawSize: chunks[i]!.length })));
    decoded.forEach((d, i) => expect(same(d, chunks[i]!)).toBe(true));
  });

  it("leaves the caller's buffers intact when segments go to worker threads", async () => {
    // The engine hands in views of larger Node Buffers; transferring one to a worker would detach the caller's memory.
    const backing = Buffer.concat([textSample(3000), textSample(3000)]);
    const view = backing.subarray(1000, 5000);
    const [encoded] = await withWorkers.encodeBatch([view]);
    expect(backing.length).toBe(6000);
    expect(view.length).toBe(4000);
    const payloadView = Buffer.concat([Buffer.alloc(7), encoded!.payload]).subarray(7);
    const [decoded] = await withWorkers.decodeBatch([{ payload: payloadView, rawSize: view.length }]);
    expect(payloadView.buffer.byteLength).toBeGreaterThan(0);
    expect(same(decoded!, view)).toBe(true);
  });

  it('makes identical payloads with 1 and 2 ORT intra-op threads', async () => {
    const twoThreads = await createNeuralCodec({ segmentBytes: 4096, workers: 0, threads: 2 });
    try {
      const chunk = textSample(10_000);
      const [a] = await inProcess.encodeBatch([chunk]);
      const [b] = await twoThreads.encodeBatch([chunk]);
      expect(same(a!.payload, b!.payload)).toBe(true);
      const [back] = await twoThreads.decodeBatch([{ payload: a!.payload, rawSize: chunk.length }]);
      expect(same(back!, chunk)).toBe(true);
    } finally {
      await twoThreads.close();
    }
  });

  it('decodes identically one lane at a time and with many lanes per ORT call', async () => {
    const oneLane = await createNeuralCodec({ segmentBytes: 4096, workers: 0, maxLanes: 1 });
    try {
      const chunks = [textSample(9_000), binarySample(3_000, 3), textSample(100)];
      const encoded = await inProcess.encodeBatch(chunks);
      const input = encoded.map((e, i) => ({ payload: e.payload, rawSize: chunks[i]!.length }));
      const many = await inProcess.decodeBatch(input);
      const single = await oneLane.decodeBatch(input);
      chunks.forEach((c, i) => {
        expect(same(many[i]!, c)).toBe(true);
        expect(same(single[i]!, c)).toBe(true);
      });
    } finally {
      await oneLane.close();
    }
  });

  it('stops at once when cancelled, and works again afterwards', async () => {
    const chunk = textSample(400_000);
    const controller = new AbortController();
    const started = performance.now();
    const pending = withWorkers.encodeBatch([chunk], controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    // 400 KB takes many seconds to encode; a cancel must not wait for it.
    expect(performance.now() - started).toBeLessThan(5000);
    const small = textSample(3000);
    const [encoded] = await withWorkers.encodeBatch([small]);
    const [decoded] = await withWorkers.decodeBatch([{ payload: encoded!.payload, rawSize: small.length }]);
    expect(same(decoded!, small)).toBe(true);
  });

  it('records the model it needs, and its params name it', () => {
    const model = ModelRegistry.open().defaultModel();
    expect(inProcess.models).toEqual([{ name: model.manifest.name, sha256: model.manifest.sha256 }]);
    expect(inProcess.params).toMatchObject({ sha256: model.manifest.sha256, model: model.manifest.name });
  });

  it('fails with missing-model naming the model when an archive needs one this build lacks', async () => {
    await expect(createNeuralCodec({ model: { name: 'octo-mlp-from-the-future', sha256: 'cd'.repeat(32) } })).rejects.toMatchObject({
      code: 'missing-model',
      message: expect.stringMatching(/octo-mlp-from-the-future.*cdcdcd/),
    });
  });
});
