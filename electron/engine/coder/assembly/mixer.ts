// Two-layer gated linear mixing in the logistic domain (the oracle's mixer.ts), fixed to the predictor's shape:
// 20 inputs (36 from revision 9); layer 1 has two selectors (3 * 256 and 6 * 256 weight vectors), and from
// revision 6 a third (8192; 131,072 from revision 7), layer 2 has 256 + 17 * 8 sets.
// Products are below 2^31 and dots below 2^37, so the dots are summed in i64 where the oracle sums doubles
// exactly; i64 division truncates toward zero as the oracle's `| 0` does. The oracle skips the network's two
// inputs when there is no network; here they are 0, which changes nothing (a 0 input adds 0 and learns 0).
import { squash } from './logistic';
import { alloc } from './memory';

/** Inputs before revision 9, and the width of a prior's weight vectors. */
const NARROW_INPUTS = 20;
/**
 * Revision 9: each context's counter and bit history are two inputs (see context-table.ts), the histories at
 * WIDE_HISTORIES.. after the 20 inputs of before; two zero inputs pad the vector to a multiple of four.
 */
const WIDE_INPUTS = 36;
export const WIDE_HISTORIES = 20;
/** The contexts, inputs 0..CONTEXT_INPUTS-1 (context-table.ts's N_CONTEXTS). */
const CONTEXT_INPUTS = 14;
export const N_INPUTS = WIDE_INPUTS;
const SETS_0 = 3 * 256;
const SETS_1 = 6 * 256;
const FINAL_SETS = 256 + 17 * 8;
const SELECTORS = 2;
const MAX_RATE = 120;
const MIN_RATE = 16;
/** Revision 6's layer-1 floor rate: on own validation text 24 did 0.2-0.3% better than 16 (and than 12 or 32). */
const MIN_RATE_6 = 24;
/**
 * Revision 6's third selector: 8192 weight vectors, apart from the prior's mixer section (priors are learned
 * by revision 3, which has two selectors), so a primed stream starts them fresh. Its layer-2 weight starts at 0:
 * the layer-2 weights a prior brings already sum to one (measured: starting at a third of one did worse).
 */
const SETS_2 = 8192;
/**
 * Revision 7's third selector: the classes of the last three bytes (predictor.ts's shape) instead of the byte
 * before last, with the same 32 places in the byte's tree: 131,072 weight vectors (10 MiB), most of which a
 * stream never uses.
 */
const SETS_2_7 = 131072;
const FINAL_RATE = 4;
const MAX_WEIGHT: i32 = (1 << 19) - 1;
const RATE_HALF_LIFE: i64 = 1 << 17;
const WEIGHTS: i32 = (SETS_0 + SETS_1) * NARROW_INPUTS;
const FINAL_WEIGHTS: i32 = FINAL_SETS * SELECTORS;
/** The prior's mixer section: update count, layer-1 weights, layer-2 weights. */
export const MIXER_STATE: i32 = 1 + WEIGHTS + FINAL_WEIGHTS;

export const inputs: usize = memory.data(N_INPUTS * 4, 64);
export let mixerState: usize = 0;
/** Inputs per weight vector in this stream: 20, or 36 from revision 9. */
let stride: i32 = NARROW_INPUTS;
/** Layer 1's first two selectors' vectors: in the prior's section before revision 9, else wideWeights. */
let weights: usize = 0;
let wideWeights: usize = 0;
let finalWeights: usize = 0;
let base0: i32 = 0;
let base1: i32 = 0;
let hidden0: i32 = 0;
let hidden1: i32 = 0;
let hiddenP0: i32 = 0;
let hiddenP1: i32 = 0;
let finalBase: i32 = 0;
let pr: i32 = 2048;
let rate: i32 = MAX_RATE;
let minRate: i32 = MIN_RATE;
/** Revision 6: the third selector is on. */
let third: bool = false;
let weights2: usize = 0;
let finalWeights2: usize = 0;
let base2: i32 = 0;
let hidden2: i32 = 0;
let hiddenP2: i32 = 0;
let updates: i64 = 0;

export function allocMixer(): void {
  mixerState = alloc(<usize>MIXER_STATE << 2);
  finalWeights = mixerState + 4 + ((<usize>WEIGHTS) << 2);
  wideWeights = alloc((<usize>((SETS_0 + SETS_1) * WIDE_INPUTS)) << 2);
  weights2 = alloc(SETS_2_7 * WIDE_INPUTS * 4);
  finalWeights2 = alloc(FINAL_SETS * 4);
}

function rateFor(n: i64): i32 {
  return minRate + <i32>((<i64>(MAX_RATE - minRate) * RATE_HALF_LIFE) / (RATE_HALF_LIFE + n));
}

/**
 * A fresh vector's weights: 1/8 each, so that a fresh mixer averages its inputs; from revision 9 a context's
 * two inputs 1/16 each (its two predictions were averaged before), and the padding 0.
 */
function initialWeight(i: i32): i32 {
  if (stride == NARROW_INPUTS) return (1 << 16) / 8;
  if (i < CONTEXT_INPUTS || (i >= WIDE_HISTORIES && i < WIDE_HISTORIES + CONTEXT_INPUTS)) return (1 << 16) / 16;
  return i < NARROW_INPUTS ? (1 << 16) / 8 : 0;
}

function initVectors(at: usize, sets: i32): void {
  const bytes = (<usize>stride) << 2;
  for (let i = 0; i < stride; i++) store<i32>(at + ((<usize>i) << 2), initialWeight(i));
  for (let s = 1; s < sets; s++) memory.copy(at + (<usize>s) * bytes, at, bytes);
}

export function resetMixer(isRevision6: bool, isRevision7: bool, isRevision9: bool): void {
  third = isRevision6;
  minRate = isRevision6 ? MIN_RATE_6 : MIN_RATE;
  stride = isRevision9 ? WIDE_INPUTS : NARROW_INPUTS;
  weights = isRevision9 ? wideWeights : mixerState + 4;
  if (isRevision6) {
    initVectors(weights2, isRevision7 ? SETS_2_7 : SETS_2);
    memory.fill(finalWeights2, 0, FINAL_SETS * 4);
  }
  memory.fill(inputs, 0, N_INPUTS * 4);
  initVectors(weights, SETS_0 + SETS_1);
  for (let i = 0; i < FINAL_WEIGHTS; i++) store<i32>(finalWeights + ((<usize>i) << 2), (1 << 16) / SELECTORS);
  store<i32>(mixerState, 0);
  base0 = 0;
  base1 = SETS_0 * stride;
  base2 = <i32>((weights2 - weights) >> 2);
  finalBase = 0;
  pr = 2048;
  rate = MAX_RATE;
  updates = 0;
}

/**
 * After the prior's mixer section was written to mixerState. Priors are learned with 20 inputs; from revision 9
 * a context's weight w becomes w/2 on each of its two inputs, so that the mixer starts out predicting what the
 * prior's mixer predicted from their average.
 */
export function mixerRestored(): void {
  if (stride == WIDE_INPUTS) {
    for (let s = 0; s < SETS_0 + SETS_1; s++) {
      const from = mixerState + 4 + ((<usize>(s * NARROW_INPUTS)) << 2);
      const to = weights + ((<usize>(s * WIDE_INPUTS)) << 2);
      for (let i = 0; i < NARROW_INPUTS; i++) {
        const w = load<i32>(from + ((<usize>i) << 2));
        if (i < CONTEXT_INPUTS) {
          store<i32>(to + ((<usize>i) << 2), w >> 1);
          store<i32>(to + ((<usize>(i + WIDE_HISTORIES)) << 2), w >> 1);
        } else store<i32>(to + ((<usize>i) << 2), w);
      }
    }
  }
  updates = <i64>load<i32>(mixerState);
  rate = rateFor(updates);
}

/** Writes the update count into the state's first slot (the weights live there already: priors are narrow). */
export function mixerSaveCount(): void {
  store<i32>(mixerState, <i32>updates);
}

// @ts-ignore: decorator
@inline export function select0(set: i32): void {
  base0 = set * stride;
}

// @ts-ignore: decorator
@inline export function select1(set: i32): void {
  base1 = (SETS_0 + set) * stride;
}

/** Revision 6's third selector (weights2 lie past the section; dot() and train() address them from weights). */
// @ts-ignore: decorator
@inline export function select2(set: i32): void {
  base2 = <i32>((weights2 - weights) >> 2) + set * stride;
}

// @ts-ignore: decorator
@inline function clampStretch(d: i32): i32 {
  return d > 2047 ? 2047 : d < -2047 ? -2047 : d;
}

/**
 * One weight vector's dot product with the inputs, four at a time (integer SIMD is exact): each product is
 * widened to i64 before it is summed. Switched-off inputs are 0, so they add nothing, as skipping them would.
 */
// @ts-ignore: decorator
@inline function dot(b: i32): i32 {
  const w = weights + ((<usize>b) << 2);
  let sum = i64x2.splat(0);
  for (let i = 0; i < stride; i += 4) {
    const x = v128.load(inputs + ((<usize>i) << 2));
    const v = v128.load(w + ((<usize>i) << 2));
    sum = i64x2.add(sum, i64x2.add(i64x2.extmul_low_i32x4_s(x, v), i64x2.extmul_high_i32x4_s(x, v)));
  }
  return dotResult(sum);
}

/** A dot product's two i64 lanes summed, in the stretched domain. */
// @ts-ignore: decorator
@inline function dotResult(sum: v128): i32 {
  return clampStretch(<i32>((i64x2.extract_lane(sum, 0) + i64x2.extract_lane(sum, 1)) / 65536));
}

/** Four i32 lanes as two i64 sums of two. */
// @ts-ignore: decorator
@inline function widen(v: v128): v128 {
  return i64x2.add(i64x2.extend_low_i32x4_s(v), i64x2.extend_high_i32x4_s(v));
}

/**
 * Eight inputs times eight weights, summed in pairs. Each product is below 2^30 (inputs within ±2047, weights
 * within ±MAX_WEIGHT), so a sum of two is exact in i32; widened to i64 before anything more is added.
 */
// @ts-ignore: decorator
@inline function pairSum(xa: v128, xb: v128, wa: v128, wb: v128): v128 {
  return widen(i32x4.add(i32x4.mul(xa, wa), i32x4.mul(xb, wb)));
}

/** One revision-9 weight vector (36 lanes) at w, dotted with the inputs: the sums dot() makes. */
// @ts-ignore: decorator
@inline function dotWide(w: usize): i32 {
  const x = inputs;
  let s = pairSum(v128.load(x, 0), v128.load(x, 16), v128.load(w, 0), v128.load(w, 16));
  s = i64x2.add(s, pairSum(v128.load(x, 32), v128.load(x, 48), v128.load(w, 32), v128.load(w, 48)));
  s = i64x2.add(s, pairSum(v128.load(x, 64), v128.load(x, 80), v128.load(w, 64), v128.load(w, 80)));
  s = i64x2.add(s, pairSum(v128.load(x, 96), v128.load(x, 112), v128.load(w, 96), v128.load(w, 112)));
  s = i64x2.add(s, widen(i32x4.mul(v128.load(x, 128), v128.load(w, 128))));
  return dotResult(s);
}

/** Mixes the inputs; returns P(1) as 12 bits (0..4095). */
export function mix(finalSet: i32): i32 {
  const fb = finalSet * SELECTORS;
  finalBase = fb;
  const fw = finalWeights + ((<usize>fb) << 2);
  let d0: i32, d1: i32;
  let d2 = 0;
  if (stride == WIDE_INPUTS) {
    // Revision 9's three vectors (its third selector is always on), each dot product unrolled over the 36
    // inputs with no loop counter or check. One at a time: with all three in one pass the compiled code loaded
    // every weight vector first and spilled half of them to the stack (16 vector registers).
    d0 = dotWide(weights + ((<usize>base0) << 2));
    d1 = dotWide(weights + ((<usize>base1) << 2));
    d2 = dotWide(weights + ((<usize>base2) << 2));
  } else {
    d0 = dot(base0);
    d1 = dot(base1);
    if (third) d2 = dot(base2);
  }
  hidden0 = d0;
  hiddenP0 = squash(d0);
  hidden1 = d1;
  hiddenP1 = squash(d1);
  let out = <i64>(d0 * load<i32>(fw)) + <i64>(d1 * load<i32>(fw, 4));
  if (third) {
    hidden2 = d2;
    hiddenP2 = squash(d2);
    out += <i64>(d2 * load<i32>(finalWeights2 + ((<usize>finalSet) << 2)));
  }
  pr = squash(clampStretch(<i32>(out / 65536)));
  return pr;
}

// @ts-ignore: decorator
@inline function clampWeight(v: i32): i32 {
  return v > MAX_WEIGHT ? MAX_WEIGHT : v < -MAX_WEIGHT ? -MAX_WEIGHT : v;
}

/** w += (x * err + 2^15) >> 16 within ±MAX_WEIGHT, four at a time; a 0 input leaves its weight as it is. */
// @ts-ignore: decorator
@inline function train(b: i32, err: i32): void {
  const w = weights + ((<usize>b) << 2);
  const x = inputs;
  const e = i32x4.splat(err);
  if (stride == WIDE_INPUTS) {
    // Unrolled for revision 9's 36 inputs, as mix() computes its dot products.
    v128.store(w, trained(v128.load(w, 0), v128.load(x, 0), e), 0);
    v128.store(w, trained(v128.load(w, 16), v128.load(x, 16), e), 16);
    v128.store(w, trained(v128.load(w, 32), v128.load(x, 32), e), 32);
    v128.store(w, trained(v128.load(w, 48), v128.load(x, 48), e), 48);
    v128.store(w, trained(v128.load(w, 64), v128.load(x, 64), e), 64);
    v128.store(w, trained(v128.load(w, 80), v128.load(x, 80), e), 80);
    v128.store(w, trained(v128.load(w, 96), v128.load(x, 96), e), 96);
    v128.store(w, trained(v128.load(w, 112), v128.load(x, 112), e), 112);
    v128.store(w, trained(v128.load(w, 128), v128.load(x, 128), e), 128);
  } else {
    for (let i = 0; i < stride; i += 4) {
      const at = w + ((<usize>i) << 2);
      v128.store(at, trained(v128.load(at), v128.load(x + ((<usize>i) << 2)), e));
    }
  }
}

/** Four weights after one step: w + ((x * err + 2^15) >> 16), within ±MAX_WEIGHT. */
// @ts-ignore: decorator
@inline function trained(w: v128, x: v128, e: v128): v128 {
  const step = i32x4.shr_s(i32x4.add(i32x4.mul(x, e), i32x4.splat(0x8000)), 16);
  return i32x4.min_s(i32x4.max_s(i32x4.add(w, step), i32x4.splat(-MAX_WEIGHT)), i32x4.splat(MAX_WEIGHT));
}

export function mixerUpdate(bit: i32): void {
  updates++;
  if ((updates & 1023) == 0) rate = rateFor(updates);
  const target = bit << 12;
  const fw = finalWeights + ((<usize>finalBase) << 2);
  const finalErr = (target - pr) * FINAL_RATE;
  store<i32>(fw, clampWeight(load<i32>(fw) + ((hidden0 * finalErr + 0x8000) >> 16)));
  const err0 = (target - hiddenP0) * rate;
  // A prediction within 2/4096 of the coded bit teaches (almost) nothing.
  if (!(err0 > -rate * 2 && err0 < rate * 2)) train(base0, err0);
  store<i32>(fw, clampWeight(load<i32>(fw, 4) + ((hidden1 * finalErr + 0x8000) >> 16)), 4);
  const err1 = (target - hiddenP1) * rate;
  if (!(err1 > -rate * 2 && err1 < rate * 2)) train(base1, err1);
  if (third) {
    const f2 = finalWeights2 + ((<usize>(finalBase / SELECTORS)) << 2);
    store<i32>(f2, clampWeight(load<i32>(f2) + ((hidden2 * finalErr + 0x8000) >> 16)));
    const err2 = (target - hiddenP2) * rate;
    if (!(err2 > -rate * 2 && err2 < rate * 2)) train(base2, err2);
  }
}
