// The network's 256 byte frequencies as per-bit probabilities (the oracle's network-tree.ts): a sum tree in heap
// order. Sums stay below 2^29, so i32 holds them and the quotient is an exact integer division.
import { alloc } from './memory';

const MAX_FREQ = 1 << 20;

let sums: usize = 0;
export let freq: usize = 0;
export let networkActive: bool = false;

export function allocNetworkTree(): void {
  sums = alloc(512 * 4);
  freq = alloc(256 * 4);
}

/** Loads the 256 frequencies the host wrote at `freq` (values below 1 count as 1). */
export function loadNetwork(): void {
  networkActive = true;
  for (let i = 0; i < 256; i++) {
    const f = load<i32>(freq + ((<usize>i) << 2));
    store<i32>(sums + ((<usize>(256 + i)) << 2), f < 1 ? 1 : f > MAX_FREQ ? MAX_FREQ : f);
  }
  for (let k = 255; k >= 1; k--) {
    store<i32>(sums + ((<usize>k) << 2), load<i32>(sums + ((<usize>(2 * k)) << 2)) + load<i32>(sums + ((<usize>(2 * k + 1)) << 2)));
  }
}

export function clearNetwork(): void {
  networkActive = false;
}

/** P(next bit = 1) as 12 bits clamped to 1..4095, given the partial byte c0 (1..255). */
export function networkP1(c0: i32): i32 {
  const one = <i64>load<i32>(sums + ((<usize>(2 * c0 + 1)) << 2));
  const all = <i64>load<i32>(sums + ((<usize>c0) << 2));
  const p = <i32>((one * 4096) / all);
  return p < 1 ? 1 : p > 4095 ? 4095 : p;
}
