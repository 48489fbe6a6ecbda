// Damaged or hostile neural payloads end in OctozipError('damaged') or in wrong bytes of the recorded length
// (which the engine's checksums catch), never in a crash, a hang or output of another length.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNeuralCodec, type NeuralCodec } from '../../electron/engine/codecs/neural.ts';
import { OctozipError } from '../../electron/engine/errors.ts';
import { textSample } from './samples.ts';

let codec: NeuralCodec;
let chunk: Uint8Array;
let payload: Uint8Array;

beforeAll(async () => {
  codec = await createNeuralCodec({ segmentBytes: 700, workers: 0 });
  chunk = textSample(2000);
  payload = (await codec.encodeBatch([chunk]))[0]!.payload;
});
afterAll(async () => {
  await codec?.close();
});

/** Decodes and classifies the outcome; any other exception fails the test. */
async function outcome(bytes: Uint8Array, rawSize: number): Promise<'damaged' | 'same' | 'wrong'> {
  try {
    const [out] = await codec.decodeBatch([{ payload: bytes, rawSize }]);
    expect(out!.length).toBe(rawSize);
    return Buffer.compare(Buffer.from(out!), Buffer.from(chunk)) === 0 ? 'same' : 'wrong';
  } catch (err) {
    if (err instanceof OctozipError && err.code === 'damaged') return 'damaged';
    throw err;
  }
}

describe('damaged neural payloads', () => {
  it('decodes the intact payload', async () => {
    expect(await outcome(payload, chunk.length)).toBe('same');
  });

  it('reports every truncation as damaged', async () => {
    for (const keep of [0, 1, 5, 9, 10, 12, 20, Math.floor(payload.length / 2), payload.length - 1]) {
      expect(await outcome(payload.subarray(0, keep), chunk.length), `kept ${keep} bytes`).toBe('damaged');
    }
  });

  it('reports a wrong recorded size, a wrong version and another model as damaged', async () => {
    expect(await outcome(payload, chunk.length + 1)).toBe('damaged');
    expect(await outcome(payload, chunk.length - 1)).toBe('damaged');
    const version = payload.slice();
    version[0] = 99;
    expect(await outcome(version, chunk.length)).toBe('damaged');
    const model = payload.slice();
    model[3] ^= 0x10;
    await expect(codec.decodeBatch([{ payload: model, rawSize: chunk.length }])).rejects.toThrow(/not made with model/);
  });

  it('turns flipped bits in the coded stream into wrong bytes of the right length', async () => {
    const flipped = payload.slice();
    flipped[flipped.length - 40] ^= 0x04;
    expect(await outcome(flipped, chunk.length)).toBe('wrong');
  });

  it('never crashes or hangs on arbitrary corruption of any byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        async (edits) => {
          const bytes = payload.slice();
          for (const e of edits) bytes[e.at % bytes.length] = e.value;
          expect(['damaged', 'same', 'wrong']).toContain(await outcome(bytes, chunk.length));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('rejects a header claiming more segments than bytes without allocating for them', async () => {
    // version, 8 hash bytes, tableBits, then a varint segment count of about 2^34.
    const hostile = Uint8Array.from([...payload.subarray(0, 10), 0xff, 0xff, 0xff, 0xff, 0x7f]);
    expect(await outcome(hostile, chunk.length)).toBe('damaged');
  });
});
