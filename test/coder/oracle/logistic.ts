// The logistic domain of the mixer, as integer tables. "stretch" maps a 12-bit probability to ln(p/(1-p)) in
// units of 1/256 (range -2047..2047); "squash" is its inverse. Both are built here by integer code from 33
// knots (the logistic function sampled every 0.5, i.e. round(4096 / (1 + e^-x)) for x = -8..8, written out
// once as constants) so that no platform's Math.exp can ever reach the coder.

const SQUASH_KNOTS = [
  1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785,
  3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095,
];

/** squash(d) for d in -2047..2047, stored at index d + 2047; linear interpolation between knots. */
const SQUASH_TABLE = new Int32Array(4095);
for (let d = -2047; d <= 2047; d++) {
  const w = d & 127;
  const k = (d >> 7) + 16;
  SQUASH_TABLE[d + 2047] = (SQUASH_KNOTS[k] * (128 - w) + SQUASH_KNOTS[k + 1] * w + 64) >> 7;
}

/** stretch(p) for p in 0..4095: the smallest d whose squash reaches p (the inverse of squash). */
export const STRETCH = new Int32Array(4096);
{
  let next = 0;
  for (let d = -2047; d <= 2047; d++) {
    const v = SQUASH_TABLE[d + 2047];
    for (let p = next; p <= v; p++) STRETCH[p] = d;
    next = v + 1;
  }
  for (let p = next; p < 4096; p++) STRETCH[p] = 2047;
}

/** P(1) in 0..4095 (of 4096) for a logistic-domain value d; d is clamped to -2047..2047. */
export function squash(d: number): number {
  if (d > 2047) d = 2047;
  if (d < -2047) d = -2047;
  return SQUASH_TABLE[d + 2047];
}

export function stretch(p: number): number {
  return STRETCH[p];
}
