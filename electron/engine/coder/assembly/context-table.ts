// Hashed context statistics (the oracle's context-table.ts): each context owns one 16-slot bucket per nibble,
// slot 0 a check value, slots 1..15 the nibble's binary tree of counters; two neighbouring places are tried,
// and on a miss the one with fewer observations is replaced.
// Revision 5 keeps a bit history in each counter slot (the oracle says how and why): P(1) in the high 16 bits,
// the count in the next 8 (so at most 255), the last bits seen in the low 8; each context maps its histories
// to probabilities, averaged with the counter's.
import { COUNTER_INIT, counterP12, stretch, updateCounter, updateCounterWithHistory } from './logistic';
import { alloc } from './memory';
import { WIDE_HISTORIES } from './mixer';

export const N_CONTEXTS = 14;
/** Count caps per context, in the order of predictor.ts's setContexts() (see the oracle for the measurements). */
const LIMITS: StaticArray<i32> = [1023, 1023, 12, 12, 12, 12, 12, 30, 30, 30, 30, 255, 12, 255];
/** Revision 5: the count has 8 bits, so orders 1 and 2 stop at 255. */
const LIMITS_5: StaticArray<i32> = [255, 255, 12, 12, 12, 12, 12, 30, 30, 30, 30, 255, 12, 255];
/**
 * Revision 6: the higher orders, words and lines adapt more slowly (their histories track change now): on own
 * validation text 0.1-0.3% smaller than revision 5's caps, and caps of 60/160 gained nothing more.
 */
const LIMITS_6: StaticArray<i32> = [255, 255, 40, 40, 40, 40, 40, 100, 100, 100, 100, 255, 40, 255];
/** Revision 5's history maps: 256 histories per context, P(1) of 65536, moving 1/64 of the way per bit. */
const HISTORY_STATES = 256;
const HISTORY_RATE = 6;
/** The first ORDER_CONTEXTS contexts count toward `found`. */
const ORDER_CONTEXTS = 5;

const PHI: i32 = <i32>0x9e3779b1;
const K_NIBBLE: i32 = <i32>0x2f0b4ab3;
const K_CHECK: i32 = <i32>0x2c1b3c6d;

export let table: usize = 0;
let bucketShift: i32 = 0;
const contextHash: usize = memory.data(N_CONTEXTS * 4, 64);
const bucket: usize = memory.data(N_CONTEXTS * 4, 64);
const slot: usize = memory.data(N_CONTEXTS * 4, 64);
/** How many of the order contexts found their bucket already there. */
export let found: i32 = 0;
/** The stream's model revision is 5 or later: slots carry bit histories. */
let revision5: bool = false;
/** Revision 9: a slot's counter and history are two inputs (mixer.ts's WIDE_HISTORIES), not their average. */
let revision9: bool = false;
/** Where a slot keeps its count: the low 16 bits before revision 5, bits 8..15 from it. */
let countShift: i32 = 0;
let countMask: i32 = 0xffff;
/** The count caps of the stream's revision, from revision 5 on. */
let historyLimits: StaticArray<i32> = LIMITS_5;
const historyMaps: usize = memory.data(N_CONTEXTS * HISTORY_STATES * 4, 64);

/** Lays out the table (2^tableBits int32 slots) at the cursor; the caller clears or fills it. */
export function allocTable(tableBits: i32): usize {
  table = alloc((<usize>1 << tableBits) << 2);
  bucketShift = 32 - (tableBits - 4);
  return table;
}

export function resetContextState(isRevision5: bool, isRevision6: bool, isRevision9: bool): void {
  revision5 = isRevision5;
  revision9 = isRevision9;
  historyLimits = isRevision6 ? LIMITS_6 : LIMITS_5;
  countShift = isRevision5 ? 8 : 0;
  countMask = isRevision5 ? 0xff : 0xffff;
  memory.fill(contextHash, 0, N_CONTEXTS * 4);
  memory.fill(bucket, 0, N_CONTEXTS * 4);
  memory.fill(slot, 0, N_CONTEXTS * 4);
  for (let i = 0; i < N_CONTEXTS * HISTORY_STATES; i++) store<i32>(historyMaps + ((<usize>i) << 2), 32768);
  found = 0;
}

/**
 * Revision 5 starting from a prior learned by revision 3 (counts in the low 16 bits, no histories): every
 * counter keeps its probability, its count capped at 255 moves to bits 8..15, and its history starts empty.
 * Slot 0 of each bucket is a check value and stays as it is.
 */
export function adoptPriorTable(slots: i32): void {
  for (let i = 0; i < slots; i++) {
    if ((i & 15) == 0) continue;
    const at = table + ((<usize>i) << 2);
    const v = load<i32>(at);
    const n = v & 0xffff;
    store<i32>(at, (v & 0xffff0000) | ((n > 255 ? 255 : n) << 8));
  }
}

/**
 * Revision 8: a table 2^k times the prior's, which filled its first 2^priorBits slots. A context's bucket index
 * is the top bits of its hash, so the prior's bucket i becomes buckets i<<k .. (i<<k) + 2^k - 1 here, and a
 * lookup tries the pair that differs in the lowest bit, where the prior's tried i and i^1. Each even bucket of
 * that range gets the prior's bucket i and each odd one i^1, so every lookup finds at first exactly what it would
 * have found in the prior's table.
 * In place, downward: no destination lies below its source except for buckets 0 and 1, and those are written
 * last, bucket 1's range before bucket 0's and each from its top, so both are read before they are overwritten.
 */
export function spreadPriorTable(priorBits: i32, bits: i32): void {
  const k = bits - priorBits;
  if (k <= 0) return;
  const copies = 1 << k;
  for (let i = (1 << (priorBits - 4)) - 1; i >= 0; i--) {
    const own = table + ((<usize>i) << 6);
    const other = table + ((<usize>(i ^ 1)) << 6);
    const range = table + ((<usize>i << k) << 6);
    for (let y = copies - 1; y >= 0; y--) memory.copy(range + ((<usize>y) << 6), (y & 1) == 0 ? own : other, 64);
  }
}

// @ts-ignore: decorator
@inline export function setContext(i: i32, hash: i32): void {
  store<i32>(contextHash + ((<usize>i) << 2), hash);
}

/** What selectBuckets' first pass read (unused). */
let touched: i32 = 0;

/** Context i's first candidate bucket (slot 0, which stays in the cache, when the context is off). */
// @ts-ignore: decorator
@inline function firstCandidate(ch: i32, nibbleKey: i32): i32 {
  const h = (ch ^ nibbleKey) * PHI;
  return select<i32>(<i32>(<u32>h >>> bucketShift) << 4, 0, ch != 0);
}

// @ts-ignore: decorator
@inline function touch(t: usize, i: i32, nibbleKey: i32): i32 {
  const b0 = firstCandidate(load<i32>(contextHash + ((<usize>i) << 2)), nibbleKey);
  return load<i32>(t + ((<usize>b0) << 2)) ^ load<i32>(t + ((<usize>(b0 ^ 16)) << 2));
}

/**
 * Chooses context i's bucket: the candidate that holds its check value, else the one with fewer observations,
 * cleared for it. Returns 1 when an order context (the first ORDER_CONTEXTS) found its bucket already there.
 */
// @ts-ignore: decorator
@inline function decide(t: usize, i: i32, nibbleKey: i32): i32 {
  const ch = load<i32>(contextHash + ((<usize>i) << 2));
  if (ch == 0) {
    store<i32>(bucket + ((<usize>i) << 2), -1);
    return 0;
  }
  const h = (ch ^ nibbleKey) * PHI;
  const b0 = firstCandidate(ch, nibbleKey);
  const check = (((h ^ (h >>> 15)) * K_CHECK) & 0x7fffffff) | 1;
  let b = b0;
  let f = 0;
  // Read again, not taken from the first pass: an earlier context may have just claimed this bucket.
  if (load<i32>(t + ((<usize>b0) << 2)) != check) {
    const b1 = b0 ^ 16;
    if (load<i32>(t + ((<usize>b1) << 2)) == check) {
      b = b1;
      f = 1;
    } else {
      const n0 = (load<i32>(t + ((<usize>(b0 + 1)) << 2)) >>> countShift) & countMask;
      const n1 = (load<i32>(t + ((<usize>(b1 + 1)) << 2)) >>> countShift) & countMask;
      b = n0 <= n1 ? b0 : b1;
      const at = t + ((<usize>b) << 2);
      store<i32>(at, check);
      // Slots 1..15 start fresh: four vector stores, the last overlapping the third by one slot.
      const init = i32x4.splat(COUNTER_INIT);
      v128.store(at, init, 4);
      v128.store(at, init, 20);
      v128.store(at, init, 36);
      v128.store(at, init, 48);
    }
  } else f = 1;
  store<i32>(bucket + ((<usize>i) << 2), b);
  return i < ORDER_CONTEXTS ? f : 0;
}

export function selectBuckets(highNibble: i32): void {
  const t = table;
  const nibbleKey = (highNibble + 1) * K_NIBBLE;
  // First touch every context's two candidate buckets, with no branch between the loads: they miss the cache
  // (the table is tens of MB) and, issued together, the misses overlap. Deciding per context right after its
  // own load made each miss wait for the one before (profiled: 29% of coding time, nearly all on those loads).
  // The loop is unrolled and keeps nothing but an xor of what it read, so that all 28 loads fit in the CPU's
  // window of instructions in flight at once; the xor only keeps the loads from being optimized away.
  let sink = touch(t, 0, nibbleKey) ^ touch(t, 1, nibbleKey) ^ touch(t, 2, nibbleKey) ^ touch(t, 3, nibbleKey);
  sink ^= touch(t, 4, nibbleKey) ^ touch(t, 5, nibbleKey) ^ touch(t, 6, nibbleKey) ^ touch(t, 7, nibbleKey);
  sink ^= touch(t, 8, nibbleKey) ^ touch(t, 9, nibbleKey) ^ touch(t, 10, nibbleKey) ^ touch(t, 11, nibbleKey);
  sink ^= touch(t, 12, nibbleKey) ^ touch(t, 13, nibbleKey);
  touched = sink;
  let f = decide(t, 0, nibbleKey) + decide(t, 1, nibbleKey) + decide(t, 2, nibbleKey) + decide(t, 3, nibbleKey);
  f += decide(t, 4, nibbleKey) + decide(t, 5, nibbleKey) + decide(t, 6, nibbleKey) + decide(t, 7, nibbleKey);
  f += decide(t, 8, nibbleKey) + decide(t, 9, nibbleKey) + decide(t, 10, nibbleKey) + decide(t, 11, nibbleKey);
  f += decide(t, 12, nibbleKey) + decide(t, 13, nibbleKey);
  found = f;
}

/** Writes each context's stretched prediction for nibble tree node (1..15) into inputs[0..N_CONTEXTS). */
// @ts-ignore: decorator
@inline export function contextsPredict(node: i32, inputs: usize): void {
  if (revision5) predictWithHistories(node, inputs);
  else predictCounters(node, inputs);
}

// @ts-ignore: decorator
@inline export function contextsUpdate(bit: i32): void {
  if (revision5) updateWithHistories(bit);
  else updateCounters(bit);
}

/** Context i is off this nibble (its bucket is -1): no slot to update, and its inputs are 0. */
// @ts-ignore: decorator
@inline function contextOff(i: i32, inputs: usize): void {
  store<i32>(slot + ((<usize>i) << 2), -1);
  store<i32>(inputs + ((<usize>i) << 2), 0);
  store<i32>(inputs + ((<usize>(i + WIDE_HISTORIES)) << 2), 0);
}

function predictCounters(node: i32, inputs: usize): void {
  for (let i = 0; i < N_CONTEXTS; i++) {
    const b = load<i32>(bucket + ((<usize>i) << 2));
    if (b < 0) {
      contextOff(i, inputs);
      continue;
    }
    const s = b + node;
    store<i32>(slot + ((<usize>i) << 2), s);
    store<i32>(inputs + ((<usize>i) << 2), stretch(counterP12(load<i32>(table + ((<usize>s) << 2)))));
  }
}

function updateCounters(bit: i32): void {
  for (let i = 0; i < N_CONTEXTS; i++) {
    const s = load<i32>(slot + ((<usize>i) << 2));
    if (s < 0) continue;
    const at = table + ((<usize>s) << 2);
    store<i32>(at, updateCounter(load<i32>(at), bit, unchecked(LIMITS[i])));
  }
}

/**
 * Revision 5: a slot with a history predicts the average of its counter and its history's map entry. Revision 9
 * gives the mixer both (a slot without a history yet gives its counter twice), so that it learns how far to trust
 * each: on own validation text 0.8-1.1% smaller (held-out code and markup with their priors, 3 MB of JavaScript
 * and 1 MB of LLVM headers, a binary), for about a tenth more coding time (a mixer of 36 inputs instead of 20).
 */
function predictWithHistories(node: i32, inputs: usize): void {
  // Unrolled (as updateWithHistories): a loop's counter, bounds and per-iteration checks cost more than its body.
  // Globals are read once into locals: the compiled code reads a global again after every store to memory.
  // Written out for each layout, so that `wide` is a constant in each copy and no context tests it.
  if (revision9) predictAll(node, inputs, table, true);
  else predictAll(node, inputs, table, false);
}

// @ts-ignore: decorator
@inline function predictAll(node: i32, inputs: usize, t: usize, wide: bool): void {
  predictWithHistory(0, node, inputs, t, wide);
  predictWithHistory(1, node, inputs, t, wide);
  predictWithHistory(2, node, inputs, t, wide);
  predictWithHistory(3, node, inputs, t, wide);
  predictWithHistory(4, node, inputs, t, wide);
  predictWithHistory(5, node, inputs, t, wide);
  predictWithHistory(6, node, inputs, t, wide);
  predictWithHistory(7, node, inputs, t, wide);
  predictWithHistory(8, node, inputs, t, wide);
  predictWithHistory(9, node, inputs, t, wide);
  predictWithHistory(10, node, inputs, t, wide);
  predictWithHistory(11, node, inputs, t, wide);
  predictWithHistory(12, node, inputs, t, wide);
  predictWithHistory(13, node, inputs, t, wide);
}

// @ts-ignore: decorator
@inline function predictWithHistory(i: i32, node: i32, inputs: usize, t: usize, wide: bool): void {
  const b = load<i32>(bucket + ((<usize>i) << 2));
  if (b < 0) {
    contextOff(i, inputs);
    return;
  }
  const s = b + node;
  store<i32>(slot + ((<usize>i) << 2), s);
  const v = load<i32>(t + ((<usize>s) << 2));
  const history = v & 0xff;
  // `+`, not `|` (history < 256): the same entry, and the add folds into the address (as in the update).
  const entry = (i << 8) + history;
  const fromCounter = stretch(counterP12(v));
  const fromHistory = stretch(load<i32>(historyMaps + ((<usize>entry) << 2)) >> 4);
  const withHistory = select<i32>(fromCounter, fromHistory, history == 0);
  if (wide) {
    store<i32>(inputs + ((<usize>i) << 2), fromCounter);
    store<i32>(inputs + ((<usize>(i + WIDE_HISTORIES)) << 2), withHistory);
  } else store<i32>(inputs + ((<usize>i) << 2), (fromCounter + withHistory) >> 1);
}

function updateWithHistories(bit: i32): void {
  const target = (bit << 16) - bit;
  const t = table;
  const limits = historyLimits;
  updateWithHistory(0, bit, target, t, limits);
  updateWithHistory(1, bit, target, t, limits);
  updateWithHistory(2, bit, target, t, limits);
  updateWithHistory(3, bit, target, t, limits);
  updateWithHistory(4, bit, target, t, limits);
  updateWithHistory(5, bit, target, t, limits);
  updateWithHistory(6, bit, target, t, limits);
  updateWithHistory(7, bit, target, t, limits);
  updateWithHistory(8, bit, target, t, limits);
  updateWithHistory(9, bit, target, t, limits);
  updateWithHistory(10, bit, target, t, limits);
  updateWithHistory(11, bit, target, t, limits);
  updateWithHistory(12, bit, target, t, limits);
  updateWithHistory(13, bit, target, t, limits);
}

// @ts-ignore: decorator
@inline function updateWithHistory(i: i32, bit: i32, target: i32, t: usize, limits: StaticArray<i32>): void {
  const s = load<i32>(slot + ((<usize>i) << 2));
  if (s < 0) return;
  const at = t + ((<usize>s) << 2);
  const v = load<i32>(at);
  const entry = historyMaps + ((<usize>((i << 8) + (v & 0xff))) << 2);
  const e = load<i32>(entry);
  store<i32>(entry, e + ((target - e) >> HISTORY_RATE));
  store<i32>(at, updateCounterWithHistory(v, bit, target, unchecked(limits[i])));
}
