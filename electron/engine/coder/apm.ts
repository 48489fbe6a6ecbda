// An adaptive probability map (secondary symbol estimation): refines a probability given a context by
// interpolating between 33 learned points along the stretched input. It corrects systematic over- or
// under-confidence of the mixer in contexts the mixer cannot see.
import { squash as importedSquash, STRETCH as importedSTRETCH } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const squash = importedSquash;
const STRETCH = importedSTRETCH;

export class Apm {
  private readonly table: Uint16Array;
  private readonly rate: number;
  private index = 0;

  constructor(contexts: number, rate: number) {
    // 16-bit entries: the update below keeps them within 0..65535 (as in lpaq1).
    this.table = new Uint16Array(contexts * 33);
    this.rate = rate;
    for (let j = 0; j < 33; j++) this.table[j] = squash((j - 16) * 128) * 16;
    // Every context starts as the identity map; copy the first row by doubling.
    for (let filled = 33; filled < this.table.length; filled *= 2) this.table.copyWithin(filled, 0, filled);
  }

  /** The refined 12-bit probability of p (0..4095) in context cx. */
  refine(p: number, cx: number): number {
    const s = STRETCH[p] + 2048;
    const lo = s >> 7;
    const w = s & 127;
    const i = cx * 33 + lo;
    this.index = w < 64 ? i : i + 1;
    return (this.table[i] * (128 - w) + this.table[i + 1] * w) >> 11;
  }

  update(bit: number): void {
    const g = (bit << 16) + (bit << this.rate) - bit - bit;
    this.table[this.index] += (g - this.table[this.index]) >> this.rate;
  }
}
