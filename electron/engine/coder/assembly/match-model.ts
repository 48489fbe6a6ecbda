// The match model (the oracle's match-model.ts): finds the last place the previous MIN_LEN bytes occurred and
// predicts that history repeats, with learned confidence counters per (length bucket, predicted bit, last byte).
// Revision 4 also remembers where the previous LONG_LEN bytes occurred and prefers that candidate: the last
// place six bytes occurred is often a poor guess in code, where short runs like "\n\t\tif (" recur everywhere.
import { COUNTER_INIT, counterP12, stretch, updateCounter } from './logistic';
import { alloc } from './memory';
import { back, byteAt, historyLength, holds } from './history';

const MIN_LEN = 6;
const MAX_LEN = 65535;
const VERIFY_LEN = 32;
const LONG_LEN = 20;
export const MATCH_COUNTERS: i32 = 64 * 256;

const PHI: i32 = <i32>0x9e3779b1;
const K_MATCH: i32 = <i32>0x2f0b4ab3;

let positions: usize = 0;
/** Revision 4: the second half of the position table, for LONG_LEN hashes; 0 in revision 3. */
let longPositions: usize = 0;
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

/**
 * Lays out the position table (2^hashBits slots) at the cursor; the caller clears it when needed. With long
 * candidates it is split in two halves, short and long hashes.
 */
export function allocMatchPositions(hashBits: i32, longCandidates: bool): usize {
  positions = alloc((<usize>1 << hashBits) << 2);
  longPositions = longCandidates ? positions + (((<usize>1 << hashBits) << 2) >> 1) : 0;
  hashShift = 32 - (longCandidates ? hashBits - 1 : hashBits);
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

/** Takes candidate (a position after an earlier occurrence) if it verifies longer than the match held now. */
function tryCandidate(candidate: i32): void {
  if (candidate <= 0) return;
  let len = 0;
  while (len < VERIFY_LEN && holds(candidate - 1 - len) && byteAt(candidate - 1 - len) == back(len + 1)) len++;
  if (len >= MIN_LEN && len > matchLength) {
    matchLength = len;
    ptr = candidate;
  }
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
  let longSlot: usize = 0;
  if (longPositions != 0 && pos >= LONG_LEN) {
    let longHash = hash;
    for (let i = MIN_LEN + 1; i <= LONG_LEN; i++) longHash = (longHash ^ back(i)) * K_MATCH + i;
    longSlot = longPositions + ((<usize>(<u32>(longHash * PHI) >>> hashShift)) << 2);
  }
  if (matchLength == 0) {
    if (longSlot != 0) tryCandidate(load<i32>(longSlot));
    if (matchLength < LONG_LEN) tryCandidate(load<i32>(slot));
  }
  store<i32>(slot, pos);
  if (longSlot != 0) store<i32>(longSlot, pos);
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
