// The match model (the oracle's match-model.ts): finds the last place the previous MIN_LEN bytes occurred and
// predicts that history repeats, with learned confidence counters per (length bucket, predicted bit, last byte).
import { COUNTER_INIT, counterP12, stretch, updateCounter } from './logistic';
import { alloc } from './memory';
import { back, byteAt, historyLength, holds } from './history';

const MIN_LEN = 6;
const MAX_LEN = 65535;
const VERIFY_LEN = 32;
export const MATCH_COUNTERS: i32 = 64 * 256;

const PHI: i32 = <i32>0x9e3779b1;
const K_MATCH: i32 = <i32>0x2f0b4ab3;

let positions: usize = 0;
let hashShift: i32 = 0;
/** The learned counters: a section of the prior. */
export let matchCounters: usize = 0;
let ptr: i32 = 0;
export let matchLength: i32 = 0;
export let predictedByte: i32 = 0;
export let expectedBit: i32 = 0;
let counterIndex: i32 = -1;

export function allocMatchCounters(): void {
  matchCounters = alloc(<usize>MATCH_COUNTERS << 2);
}

/** Lays out the position table (2^hashBits slots) at the cursor; the caller clears it when needed. */
export function allocMatchPositions(hashBits: i32): usize {
  positions = alloc((<usize>1 << hashBits) << 2);
  hashShift = 32 - hashBits;
  return positions;
}

export function resetMatch(): void {
  for (let i = 0; i < MATCH_COUNTERS; i++) store<i32>(matchCounters + ((<usize>i) << 2), COUNTER_INIT);
  ptr = 0;
  matchLength = 0;
  predictedByte = 0;
  expectedBit = 0;
  counterIndex = -1;
}

function lengthBucket(len: i32): i32 {
  if (len < 16) return len;
  if (len < 32) return 16 + ((len - 16) >> 2);
  if (len < 64) return 20 + ((len - 32) >> 3);
  if (len < 512) return 24 + ((len - 64) >> 6);
  return 31;
}

export function matchByteDone(): void {
  const pos = historyLength;
  if (matchLength > 0) {
    if (byteAt(ptr) == back(1) && matchLength < MAX_LEN) {
      matchLength++;
      ptr++;
    } else matchLength = 0;
  }
  if (pos < MIN_LEN) return;
  let hash: i32 = 0;
  for (let i = 1; i <= MIN_LEN; i++) hash = (hash ^ back(i)) * K_MATCH + i;
  const slot = positions + ((<usize>(<u32>(hash * PHI) >>> hashShift)) << 2);
  if (matchLength == 0) {
    const candidate = load<i32>(slot);
    if (candidate > 0) {
      let len = 0;
      while (len < VERIFY_LEN && holds(candidate - 1 - len) && byteAt(candidate - 1 - len) == back(len + 1)) len++;
      if (len >= MIN_LEN) {
        matchLength = len;
        ptr = candidate;
      }
    }
  }
  store<i32>(slot, pos);
  if (matchLength > 0) predictedByte = byteAt(ptr) | 256;
}

/** Writes the learned confidence and a fixed-strength vote for the next bit into inputs[0..1]. */
// @ts-ignore: decorator
@inline export function matchPredict(c0: i32, bitIndex: i32, c1: i32, inputs: usize): void {
  if (matchLength > 0 && predictedByte >> (8 - bitIndex) == c0) {
    const bit = (predictedByte >> (7 - bitIndex)) & 1;
    expectedBit = 1 + bit;
    const ctx = (lengthBucket(matchLength) << 1) | bit;
    counterIndex = (ctx << 8) | c1;
    store<i32>(inputs, stretch(counterP12(load<i32>(matchCounters + ((<usize>counterIndex) << 2)))));
    const strength = matchLength > 31 ? 2047 : matchLength << 6;
    store<i32>(inputs, bit ? strength : -strength, 4);
  } else {
    expectedBit = 0;
    counterIndex = -1;
    store<i32>(inputs, 0);
    store<i32>(inputs, 0, 4);
  }
}

// @ts-ignore: decorator
@inline export function matchUpdate(bit: i32): void {
  if (counterIndex >= 0) {
    const at = matchCounters + ((<usize>counterIndex) << 2);
    store<i32>(at, updateCounter(load<i32>(at), bit, 255));
  }
}
