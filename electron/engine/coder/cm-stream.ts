// Whole-buffer coding with the adaptive stage (./wasm-coder.ts): the no-network path and the tests' entry point.
// The payload is the bare arithmetic-coded bit stream; the caller records the length.
import { WasmPredictor, type PredictorOptions } from './wasm-coder.ts';

/** The network's frequencies for byte i given the bytes before it (history = those i bytes), or null. */
export type NetworkFreqs = (i: number, history: Uint8Array) => Int32Array | null;

/** Reports how many bytes of the stream are coded so far (every few hundred kilobytes). */
export type CodingProgress = (bytesDone: number) => void;

export function encodeBytes(data: Uint8Array, networkFreqs?: NetworkFreqs, options?: PredictorOptions, onProgress?: CodingProgress): Uint8Array {
  const predictor = new WasmPredictor(options);
  try {
    if (!networkFreqs) return predictor.encode(data, onProgress);
    predictor.startEncode();
    for (let i = 0; i < data.length; i++) predictor.encodeByte(data[i]!, networkFreqs(i, data.subarray(0, i)));
    return predictor.finishEncode();
  } finally {
    predictor.release();
  }
}

/**
 * Decodes `length` bytes: the whole stream, or any prefix of it. Never throws on damaged input or a wrong
 * length: it returns some bytes of the asked length, and the engine's checksum tells whether they are right.
 */
export function decodeBytes(
  payload: Uint8Array,
  length: number,
  networkFreqs?: NetworkFreqs,
  options?: PredictorOptions,
  onProgress?: CodingProgress,
): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid length ${length}`);
  const predictor = new WasmPredictor(options);
  try {
    if (!networkFreqs) return predictor.decode(payload, length, onProgress);
    const out = new Uint8Array(length);
    predictor.startDecode(payload);
    for (let i = 0; i < length; i++) out[i] = predictor.decodeByte(networkFreqs(i, out.subarray(0, i)));
    return out;
  } finally {
    predictor.release();
  }
}
