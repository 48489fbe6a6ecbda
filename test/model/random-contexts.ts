// Seeded random contexts for the exactness tests: mostly bytes, with runs of the pad symbol as at a chunk start.
import { PAD_SYMBOL } from './reference-network.ts';

/** A small deterministic PRNG (mulberry32), so a failing case can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** rows x k symbols in 0..256; row r has a leading run of pads of random length (0 to k), as early chunk positions do. */
export function randomContexts(rows: number, k: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const out = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const pads = random() < 0.3 ? Math.floor(random() * (k + 1)) : 0;
    for (let p = 0; p < k; p++) out[r * k + p] = p < pads ? PAD_SYMBOL : Math.floor(random() * 256);
  }
  return out;
}
