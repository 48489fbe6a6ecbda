// The logistic domain and the adaptive counters, as integer tables built by the same integer code as the
// TypeScript reference (test/coder/oracle): stretch(p) = ln(p/(1-p)) in 1/256 units, squash its inverse,
// and the counters' update rates. See the oracle's logistic.ts and adaptive-counter.ts for the reasoning.

const SQUASH_KNOTS: StaticArray<i32> = [
  1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785,
  3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095,
];

export const COUNTER_INIT: i32 = (32768 << 16) | 0;

// Static data (memory.data): constant addresses, so that each lookup is one load with no global read first.
const SQUASH: usize = memory.data(4095 * 4, 64);
const STRETCH: usize = memory.data(4096 * 4, 64);
const RATE: usize = memory.data(1024 * 4, 64);
/** Revision 5: the history after each (history, bit), as a table (measured: 2-3% faster than computing it). */
const NEXT_HISTORY: usize = memory.data(512, 64);

export function buildLogisticTables(): void {
  for (let d = -2047; d <= 2047; d++) {
    const w = d & 127;
    const k = (d >> 7) + 16;
    const v = (unchecked(SQUASH_KNOTS[k]) * (128 - w) + unchecked(SQUASH_KNOTS[k + 1]) * w + 64) >> 7;
    store<i32>(SQUASH + ((<usize>(d + 2047)) << 2), v);
  }
  let next = 0;
  for (let d = -2047; d <= 2047; d++) {
    const v = load<i32>(SQUASH + ((<usize>(d + 2047)) << 2));
    for (let p = next; p <= v; p++) store<i32>(STRETCH + ((<usize>p) << 2), d);
    next = v + 1;
  }
  for (let p = next; p < 4096; p++) store<i32>(STRETCH + ((<usize>p) << 2), 2047);
  for (let n = 0; n < 1024; n++) store<i32>(RATE + ((<usize>n) << 2), 65536 / (4 * n + 5));
  for (let h = 0; h < 256; h++) {
    for (let bit = 0; bit < 2; bit++) {
      const shifted = (h << 1) | bit;
      store<u8>(NEXT_HISTORY + <usize>((h << 1) | bit), <u8>(h == 0 ? 2 | bit : h < 128 ? shifted : 0x80 | (shifted & 0x7f)));
    }
  }
}

/** stretch(p) for p in 0..4095. */
// @ts-ignore: decorator
@inline export function stretch(p: i32): i32 {
  return load<i32>(STRETCH + ((<usize>p) << 2));
}

/** P(1) in 0..4095 for d, clamped to -2047..2047 first. */
// @ts-ignore: decorator
@inline export function squash(d: i32): i32 {
  if (d > 2047) d = 2047;
  if (d < -2047) d = -2047;
  return load<i32>(SQUASH + ((<usize>(d + 2047)) << 2));
}

/** Counter: P(1) of 65536 in the high 16 bits, the update count in the low 16; limit caps the count. */
// @ts-ignore: decorator
@inline export function updateCounter(v: i32, bit: i32, limit: i32): i32 {
  const n = v & 0xffff;
  const p = v >>> 16;
  const target = bit ? 65535 : 0;
  const next = p + (((target - p) * load<i32>(RATE + ((<usize>n) << 2))) >> 14);
  return (next << 16) | (n < limit ? n + 1 : limit);
}

/**
 * Revision 5's counter: P(1) of 65536 in the high 16 bits, the count (at most 255) in bits 8..15, and in the low
 * 8 the bits seen last behind a marker 1: 0 is no bit yet, 1b is one bit b, and from eight bits on the marker
 * stays at bit 7 above the last seven. target: 65535 after a 1, 0 after a 0.
 */
// @ts-ignore: decorator
@inline export function updateCounterWithHistory(v: i32, bit: i32, target: i32, limit: i32): i32 {
  const n = (v >> 8) & 0xff;
  const p = v >>> 16;
  const next = p + (((target - p) * load<i32>(RATE + ((<usize>n) << 2))) >> 14);
  // `+ bit`, not `| bit`: the same index, and the compiled code folds an add into the address (measured).
  const history = <i32>load<u8>(NEXT_HISTORY + <usize>(((v & 0xff) << 1) + bit));
  return (next << 16) | (select<i32>(n + 1, limit, n < limit) << 8) | history;
}

// @ts-ignore: decorator
@inline export function counterP12(v: i32): i32 {
  return v >>> 20;
}
