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

/**
 * Revision 5's counter: P(1) of 65536 in the high 16 bits, the count in bits 8..15 (limit <= 255), and a bit
 * history in the low 8: the last bits seen behind a marker 1 (0: none yet; 1b: one bit b; from eight bits on
 * the marker stays at bit 7 above the last seven). The probability moves exactly as updateCounter's does.
 */
export function updateCounterWithHistory(v: number, bit: number, limit: number): number {
  const n = (v >> 8) & 0xff;
  const p = v >>> 16;
  const target = bit ? 65535 : 0;
  const next = p + (((target - p) * RATE[n]) >> 14);
  const h = v & 0xff;
  const shifted = (h << 1) | bit;
  const history = h === 0 ? 2 | bit : h < 128 ? shifted : 0x80 | (shifted & 0x7f);
  return (next << 16) | ((n < limit ? n + 1 : limit) << 8) | history;
}

/** A revision-5 counter's history (0: no bit seen yet in this slot). */
export function counterHistory(v: number): number {
  return v & 0xff;
}
