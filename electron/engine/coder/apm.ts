// An adaptive probability map (secondary symbol estimation): refines a probability given a context by
// interpolating between 33 learned points along the stretched input. It corrects systematic over- or
// under-confidence of the mixer in contexts the mixer cannot see.
import { squash as importedSquash, STRETCH as importedSTRETCH } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const squash = importedSquash;
const STRETCH = importedSTRETCH;

/** The identity map at the 33 points, as 16-bit probabilities. */
const IDENTITY = new Int32Array(33);
for (let j = 0; j < 33; j++) IDENTITY[j] = squash((j - 16) * 128) * 16;

export class Apm {
  /**
   * Each point stored as its difference from the identity map, so a fresh table is all zeros: nothing is
   * written at construction and untouched contexts cost no memory (the OS maps zero pages lazily).
   */
  private readonly delta: Int32Array;
  private readonly rate: number;
  private index = 0;

  constructor(contexts: number, rate: number) {
    this.delta = new Int32Array(contexts * 33);
    this.rate = rate;
  }

  /** The refined 12-bit probability of p (0..4095) in context cx. */
  refine(p: number, cx: number): number {
    const s = STRETCH[p] + 2048;
    const lo = s >> 7;
    const w = s & 127;
    const i = cx * 33 + lo;
    this.index = w < 64 ? i : i + 1;
    const a = this.delta[i] + IDENTITY[lo];
    const b = this.delta[i + 1] + IDENTITY[lo + 1];
    return (a * (128 - w) + b * w) >> 11;
  }

  /** Moves the point nearer to the last input toward the coded bit (staying within 0..65535, as in lpaq1). */
  update(bit: number): void {
    const g = (bit << 16) + (bit << this.rate) - bit - bit;
    const i = this.index;
    const base = IDENTITY[i % 33];
    const v = this.delta[i] + base;
    this.delta[i] += (g - v) >> this.rate;
  }
}
