// Adaptive probability counters packed in one int32: the high 16 bits hold P(1) of 65536, the low 16 bits
// how often the counter was updated (capped by the caller's limit). The step is 1/(n + 1.25): the first
// observations move the counter fast (a new context learns in one or two bits), later ones average, and the
// cap keeps it able to follow drifting statistics.

export const COUNTER_INIT = (32768 << 16) | 0;

/** RATE[n] = 2^14 / (n + 1.25), the update step for a counter seen n times (1.25: measured best of 1.05..2). */
const RATE = new Int32Array(1024);
for (let n = 0; n < 1024; n++) RATE[n] = Math.floor((1 << 16) / (4 * n + 5));

/** The counter after observing bit; limit (< 1024) caps the count and so sets the slowest rate. */
export function updateCounter(v: number, bit: number, limit: number): number {
  const n = v & 0xffff;
  const p = v >>> 16;
  const target = bit ? 65535 : 0;
  const next = p + (((target - p) * RATE[n]) >> 14);
  return (next << 16) | (n < limit ? n + 1 : limit);
}

/** The counter's probability as 12 bits (0..4095). */
export function counterP12(v: number): number {
  return v >>> 20;
}
