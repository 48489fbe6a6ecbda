// Inputs for the neural codec tests: real text from this repository (never the benchmark corpus) and binary.
import { readFileSync } from 'node:fs';
import { seededRandom } from '../model/random-contexts.ts';

export function textSample(bytes: number): Uint8Array {
  const sources = ['../../docs/MODEL.md', '../../electron/engine/api.ts', '../../electron/engine/codecs/neural.ts'];
  const text = Buffer.concat(sources.map((s) => readFileSync(new URL(s, import.meta.url))));
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += text.length) out.set(text.subarray(0, Math.min(text.length, bytes - i)), i);
  return out;
}

/** Binary with structure: little-endian counters, random bytes and zero runs. */
export function binarySample(bytes: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    const region = Math.floor(i / 1000) % 3;
    out[i] = region === 0 ? (i >> ((i & 3) * 8)) & 0xff : region === 1 ? Math.floor(random() * 256) : 0;
  }
  return out;
}
