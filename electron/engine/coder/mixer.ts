// Gated linear mixing in the logistic domain (lpaq1 / paq8 style): p = squash(sum_i w_i * x_i) where the x_i
// are stretched predictions and the weight vector is chosen by a small context. Weights are 16.16 fixed point
// and learn online by gradient descent on coding cost: w_i += x_i * (bit - p) * rate. Integer throughout.
import { squash as importedSquash } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const squash = importedSquash;

export class Mixer {
  readonly inputs: Int32Array;
  private readonly weights: Int32Array;
  private readonly n: number;
  private readonly rate: number;
  private base = 0;
  private pr = 2048;

  /** n inputs; sets weight vectors selectable by context; rate scales the learning step. */
  constructor(n: number, sets: number, rate: number, initialWeight: number) {
    this.n = n;
    this.inputs = new Int32Array(n);
    this.weights = new Int32Array(n * sets).fill(initialWeight);
    this.rate = rate;
  }

  /** Mixes the current inputs with weight set `set`; returns the logistic-domain result (clamped ±2047). */
  mix(set: number): number {
    const w = this.weights;
    const x = this.inputs;
    const base = set * this.n;
    this.base = base;
    // Each product is below 2^42 and the sum below 2^47: exact in a double.
    let dot = 0;
    for (let i = 0; i < this.n; i++) dot += x[i] * w[base + i];
    let d = (dot / 65536) | 0;
    if (d > 2047) d = 2047;
    else if (d < -2047) d = -2047;
    this.pr = squash(d);
    return d;
  }

  update(bit: number): void {
    const err = ((bit << 12) - this.pr) * this.rate;
    const w = this.weights;
    const x = this.inputs;
    const base = this.base;
    for (let i = 0; i < this.n; i++) w[base + i] += (x[i] * err + 0x8000) >> 16;
  }
}
