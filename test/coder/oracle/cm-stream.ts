// Whole-buffer coding with the adaptive stage: the no-network path and the tests' entry point. The payload is
// the bare arithmetic-coded bit stream; the caller records the length.
import { BinaryDecoder, BinaryEncoder } from './binary-coder.ts';
import { BytePredictor, type BytePredictorOptions } from './byte-predictor.ts';

/** The network's frequencies for byte i given the bytes before it (history = those i bytes), or null. */
export type NetworkFreqs = (i: number, history: Uint8Array) => Int32Array | null;

export function encodeBytes(data: Uint8Array, networkFreqs?: NetworkFreqs, options?: BytePredictorOptions): Uint8Array {
  const predictor = new BytePredictor(options);
  const encoder = new BinaryEncoder();
  for (let i = 0; i < data.length; i++) {
    predictor.beginByte(networkFreqs ? networkFreqs(i, data.subarray(0, i)) : null);
    const c = data[i];
    for (let b = 7; b >= 0; b--) {
      const bit = (c >> b) & 1;
      encoder.encode(bit, predictor.predictBit());
      predictor.update(bit);
    }
  }
  return encoder.finish();
}

/**
 * Decodes `length` bytes. Never throws on damaged input or a wrong length: it returns some bytes of the asked
 * length, and the engine's checksum tells whether they are right.
 */
export function decodeBytes(
  payload: Uint8Array,
  length: number,
  networkFreqs?: NetworkFreqs,
  options?: BytePredictorOptions,
): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid length ${length}`);
  const predictor = new BytePredictor(options);
  const decoder = new BinaryDecoder(payload);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    predictor.beginByte(networkFreqs ? networkFreqs(i, out.subarray(0, i)) : null);
    let c = 0;
    for (let b = 0; b < 8; b++) {
      const bit = decoder.decode(predictor.predictBit());
      predictor.update(bit);
      c = (c << 1) | bit;
    }
    out[i] = c;
  }
  return out;
}
