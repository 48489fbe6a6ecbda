// Gated linear mixing in the logistic domain (lpaq1 / paq8 style), in two layers. Layer 1: several weight
// vectors, each chosen by its own small context (the partial byte, the match state, ...), each mixing the same
// stretched inputs: d_k = sum_i w_ki * x_i. Layer 2 mixes the d_k with a weight vector chosen by one more
// context. Weights are 16.16 fixed point and learn online by gradient descent on coding cost:
// w += x * (bit - p) * rate. Integer throughout.
import { squash as importedSquash } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const squash = importedSquash;

/** Weights stay within ±8.0 (16.16): far beyond useful values, and it keeps every product of the dot far inside 2^53. */
export const MAX_WEIGHT = (1 << 19) - 1;
/** Layer 1's rate is halfway between its maximum and minimum after this many bits. */
const RATE_HALF_LIFE = 1 << 17;
/** With inputs below 2^11 and errors below 2^12, a rate up to 256 keeps x * err (Math.imul) below 2^31. */
const MAX_RATE = 256;

function clampStretch(d: number): number {
  return d > 2047 ? 2047 : d < -2047 ? -2047 : d;
}

export class Mixer {
  /** The layer-1 inputs for the current bit: stretched probabilities, -2047..2047. */
  readonly inputs: Int32Array;
  private readonly n: number;
  private readonly selectors: number;
  /** All selectors' weight vectors in one array; selector k's sets start at offset[k]. */
  private readonly weights: Int32Array;
  private readonly offset: Int32Array;
  /** Weight-vector start per selector for the current bit. */
  private readonly base: Int32Array;
  /** Layer-1 outputs (the layer-2 inputs) and their probabilities. */
  private readonly hidden: Int32Array;
  private readonly hiddenP: Int32Array;
  private readonly finalWeights: Int32Array;
  private finalBase = 0;
  private pr = 2048;
  /** Learning rate of layer 1: starts at maxRate for fast early learning, decays toward minRate. */
  private rate: number;
  private readonly minRate: number;
  private readonly maxRate: number;
  private updates = 0;
  private readonly finalRate: number;
  /** Inputs [optionalStart, optionalEnd) may be switched off for a bit; off, they are skipped (read as 0). */
  private readonly optionalStart: number;
  private readonly optionalEnd: number;
  private optionalOn = true;

  /**
   * n inputs; setsPerSelector[k] is how many weight vectors selector k chooses from; finalSets likewise for
   * layer 2. Rates scale the learning steps (layer 1 decays from maxRate to minRate). finalInit: each
   * selector's starting layer-2 weight (16.16), by default an equal share of one. initialWeights: each input's
   * starting layer-1 weight (16.16), by default 1/8.
   */
  constructor(
    n: number,
    setsPerSelector: readonly number[],
    finalSets: number,
    maxRate: number,
    minRate: number,
    finalRate: number,
    optional: { start: number; count: number } = { start: n, count: 0 },
    finalInit?: readonly number[],
    initialWeights?: readonly number[],
  ) {
    if (maxRate > MAX_RATE || finalRate > MAX_RATE || minRate > maxRate) throw new RangeError('mixer rates out of range');
    this.n = n;
    this.optionalStart = optional.start;
    this.optionalEnd = optional.start + optional.count;
    this.inputs = new Int32Array(n);
    this.selectors = setsPerSelector.length;
    this.offset = new Int32Array(this.selectors);
    let total = 0;
    setsPerSelector.forEach((sets, k) => {
      this.offset[k] = total;
      total += sets * n;
    });
    this.weights = new Int32Array(total).fill((1 << 16) / 8);
    if (initialWeights) {
      if (initialWeights.length !== n) throw new RangeError('one starting weight per input');
      for (let i = 0; i < total; i++) this.weights[i] = initialWeights[i % n]!;
    }
    this.base = new Int32Array(this.selectors);
    this.hidden = new Int32Array(this.selectors);
    this.hiddenP = new Int32Array(this.selectors);
    this.finalWeights = new Int32Array(finalSets * this.selectors).fill(((1 << 16) / this.selectors) | 0);
    if (finalInit) {
      if (finalInit.length !== this.selectors) throw new RangeError('one layer-2 starting weight per selector');
      for (let i = 0; i < this.finalWeights.length; i++) this.finalWeights[i] = finalInit[i % this.selectors]!;
    }
    this.rate = maxRate;
    this.maxRate = maxRate;
    this.minRate = minRate;
    this.finalRate = finalRate;
  }

  /** Both layers' weights and the update count (which sets layer 1's rate), for saving as a prior. */
  learnedState(): Int32Array {
    const out = new Int32Array(1 + this.weights.length + this.finalWeights.length);
    out[0] = this.updates;
    out.set(this.weights, 1);
    out.set(this.finalWeights, 1 + this.weights.length);
    return out;
  }

  /**
   * Starts from a learned state of the first `selectors` selectors (a mixer with more selectors starting from a
   * prior learned with fewer): their weights and layer-2 weights are restored, the others keep their start.
   * A state learned with fewer inputs (narrow.inputs, each vector's first inputs here) is widened: an input named
   * in narrow.split becomes two, input i and input split.get(i), each with half its weight (rounded down), which
   * mixes their average as the narrow mixer mixed input i.
   */
  restore(state: Int32Array, selectors: number = this.selectors, narrow?: { inputs: number; split: ReadonlyMap<number, number> }): void {
    const stored = narrow?.inputs ?? this.n;
    const vectors = selectors < this.selectors ? this.offset[selectors]! / this.n : this.weights.length / this.n;
    const weightCount = vectors * stored;
    const finalSets = this.finalWeights.length / this.selectors;
    if (selectors > this.selectors || stored > this.n || state.length !== 1 + weightCount + finalSets * selectors) throw new RangeError('mixer state of the wrong size');
    this.updates = state[0]!;
    this.rate = this.minRate + Math.floor(((this.maxRate - this.minRate) * RATE_HALF_LIFE) / (RATE_HALF_LIFE + this.updates));
    for (let v = 0; v < vectors; v++) {
      for (let i = 0; i < stored; i++) {
        const w = state[1 + v * stored + i]!;
        const other = narrow?.split.get(i);
        if (other === undefined) this.weights[v * this.n + i] = w;
        else {
          this.weights[v * this.n + i] = Math.floor(w / 2);
          this.weights[v * this.n + other] = Math.floor(w / 2);
        }
      }
    }
    for (let set = 0; set < finalSets; set++) {
      for (let k = 0; k < selectors; k++) this.finalWeights[set * this.selectors + k] = state[1 + weightCount + set * selectors + k]!;
    }
  }

  /**
   * Whether the optional inputs take part in the current bit. Off is exactly the same as inputs of 0 (a zero
   * input adds nothing to the dot product and leaves its weight unchanged), only cheaper: the 'cm' codec never
   * has a network, and skipping its two inputs saves a tenth of the mixing.
   */
  setOptionalInputs(on: boolean): void {
    this.optionalOn = on;
  }

  /** Chooses weight vector `set` of selector k for the current bit. */
  select(k: number, set: number): void {
    this.base[k] = this.offset[k] + set * this.n;
  }

  /** Mixes the inputs; returns P(1) as 12 bits (0..4095). */
  mix(finalSet: number): number {
    const x = this.inputs;
    const n = this.n;
    const w = this.weights;
    const fw = this.finalWeights;
    const fb = finalSet * this.selectors;
    this.finalBase = fb;
    const skipFrom = this.optionalOn ? n : this.optionalStart;
    const skipTo = this.optionalOn ? n : this.optionalEnd;
    let out = 0;
    for (let k = 0; k < this.selectors; k++) {
      const b = this.base[k];
      // Each product is below 2^31 and the sum below 2^37: exact in a double.
      let dot = 0;
      for (let i = 0; i < skipFrom; i++) dot += x[i] * w[b + i];
      for (let i = skipTo; i < n; i++) dot += x[i] * w[b + i];
      const d = clampStretch((dot / 65536) | 0);
      this.hidden[k] = d;
      this.hiddenP[k] = squash(d);
      out += d * fw[fb + k];
    }
    this.pr = squash(clampStretch((out / 65536) | 0));
    return this.pr;
  }

  update(bit: number): void {
    if ((++this.updates & 1023) === 0) {
      this.rate = this.minRate + Math.floor(((this.maxRate - this.minRate) * RATE_HALF_LIFE) / (RATE_HALF_LIFE + this.updates));
    }
    const x = this.inputs;
    const n = this.n;
    const w = this.weights;
    const skipFrom = this.optionalOn ? n : this.optionalStart;
    const skipTo = this.optionalOn ? n : this.optionalEnd;
    const target = bit << 12;
    const fw = this.finalWeights;
    const fb = this.finalBase;
    const finalErr = (target - this.pr) * this.finalRate;
    for (let k = 0; k < this.selectors; k++) {
      const f = fw[fb + k] + ((this.hidden[k] * finalErr + 0x8000) >> 16);
      fw[fb + k] = f > MAX_WEIGHT ? MAX_WEIGHT : f < -MAX_WEIGHT ? -MAX_WEIGHT : f;
      const err = (target - this.hiddenP[k]) * this.rate;
      // A prediction within 2/4096 of the coded bit teaches (almost) nothing.
      if (err > -this.rate * 2 && err < this.rate * 2) continue;
      const b = this.base[k];
      for (let i = 0; i < skipFrom; i++) {
        const v = w[b + i] + ((Math.imul(x[i], err) + 0x8000) >> 16);
        w[b + i] = v > MAX_WEIGHT ? MAX_WEIGHT : v < -MAX_WEIGHT ? -MAX_WEIGHT : v;
      }
      for (let i = skipTo; i < n; i++) {
        const v = w[b + i] + ((Math.imul(x[i], err) + 0x8000) >> 16);
        w[b + i] = v > MAX_WEIGHT ? MAX_WEIGHT : v < -MAX_WEIGHT ? -MAX_WEIGHT : v;
      }
    }
  }
}
