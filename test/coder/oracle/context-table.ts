// Hashed context statistics, the workhorse of the adaptive stage. Each context (order-n bytes, a word, a
// record column...) owns one 16-slot bucket per nibble: slot 0 holds a check value identifying the context,
// slots 1..15 are the binary tree of counters for the nibble's bits. A byte thus touches two buckets
// (two cache lines) per context. Buckets are looked up in two neighbouring places; on a miss the one with
// fewer observations is replaced, so a collision starts from fresh counters instead of foreign statistics.
//
// Revision 5 adds bit histories. A counter's probability is an average over everything its context saw; which of
// the last few bits came in what order is lost, and in code and markup it says much (a context that alternated,
// or that just changed its mind). Each counter slot keeps its last bits (adaptive-counter.ts), and each context
// learns, per history, how often a 1 follows; a slot with a history predicts the average, in the stretched
// domain, of its counter and that map. Measured on own validation text with the model of the day: code 2.4% and
// markup 0.8% smaller primed from the bundled priors, 3 MB of JavaScript 2.1% smaller cold, an English text
// 0.9% smaller primed; coding about 15% slower (revision 5 won that time back by dropping the order-2 APM,
// byte-predictor.ts).
import {
  COUNTER_INIT as importedCOUNTER_INIT,
  counterHistory as importedCounterHistory,
  counterP12 as importedCounterP12,
  updateCounter as importedUpdateCounter,
  updateCounterWithHistory as importedUpdateCounterWithHistory,
} from './adaptive-counter.ts';
import { STRETCH as importedSTRETCH } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const COUNTER_INIT = importedCOUNTER_INIT;
const counterP12 = importedCounterP12;
const updateCounter = importedUpdateCounter;
const updateCounterWithHistory = importedUpdateCounterWithHistory;
const counterHistory = importedCounterHistory;
const STRETCH = importedSTRETCH;

/** Revision 5's history maps: per context, P(1) of 65536 for each of 256 histories, moving 1/64 of the way a bit. */
const HISTORY_STATES = 256;
const HISTORY_RATE = 6;

/**
 * A learned table of 2^fromBits slots, as a table of 2^toBits (revision 8; the same table when the sizes match).
 * A bucket's index is the top bits of its context's hash, so the hashes of the learned table's bucket i land in
 * buckets i * 2^k .. (i + 1) * 2^k - 1 of the larger one (k = toBits - fromBits), and a lookup tries its bucket
 * and the one that differs in the lowest bit, where the learned table's tried i and i xor 1. Giving each even
 * bucket of that range bucket i, and each odd one bucket i xor 1, makes every lookup find, at the start, what the
 * learned table held for it.
 */
export function spreadTable(learned: Int32Array, fromBits: number, toBits: number): Int32Array {
  if (learned.length !== 2 ** fromBits) throw new RangeError(`a learned table of ${learned.length} slots does not fit 2^${fromBits}`);
  if (toBits === fromBits) return learned;
  const k = toBits - fromBits;
  const out = new Int32Array(2 ** toBits);
  for (let bucket = 0; bucket < out.length / 16; bucket++) {
    const source = Math.floor(bucket / 2 ** k);
    const from = (bucket % 2 === 0 ? source : source ^ 1) * 16;
    out.set(learned.subarray(from, from + 16), bucket * 16);
  }
  return out;
}

export class ContextTable {
  private readonly table: Int32Array;
  private readonly bucketShift: number;
  /** The byte-level hash of each context, set at each byte boundary. */
  private readonly contextHash: Int32Array;
  /** Start of each context's current bucket. */
  private readonly bucket: Int32Array;
  /** Slot each context predicted the current bit from (valid between predict and update). */
  private readonly slot: Int32Array;
  private readonly limit: Int32Array;
  readonly size: number;
  /** How many of the first `orderContexts` contexts found their bucket already there (seen before). */
  found = 0;
  private readonly orderContexts: number;
  /** Revision 5: slots carry bit histories, and each context has a history map. */
  private readonly histories: Int32Array | null;

  /** tableBits: log2 of the table's int32 slots (memory = 4 << tableBits bytes); limits: per-context count caps. */
  /**
   * initial: a learned table to start from (a prior's, learned without histories); it is adopted, not copied, and
   * changes as this table learns. withHistories: revision 5's slots (limits must then be at most 255).
   */
  constructor(tableBits: number, limits: readonly number[], orderContexts = 0, initial?: Int32Array, withHistories = false) {
    this.orderContexts = orderContexts;
    if (initial && initial.length !== 1 << tableBits) throw new RangeError(`a learned table of ${initial.length} slots does not fit 2^${tableBits}`);
    if (withHistories && limits.some((l) => l > 255)) throw new RangeError('a slot with a history counts to 255 at most');
    this.table = initial ?? new Int32Array(1 << tableBits);
    this.histories = withHistories ? new Int32Array(limits.length * HISTORY_STATES).fill(32768) : null;
    if (initial && withHistories) adoptWithoutHistories(initial);
    this.bucketShift = 32 - (tableBits - 4);
    this.size = limits.length;
    this.contextHash = new Int32Array(this.size);
    this.bucket = new Int32Array(this.size);
    this.slot = new Int32Array(this.size);
    this.limit = Int32Array.from(limits);
  }

  /** The learned statistics, for saving as a prior. */
  learnedState(): Int32Array {
    return this.table;
  }

  /**
   * Sets context i's hash for the coming byte (call for every context, then selectBuckets(0)). Hash 0 switches
   * the context off for this byte: it predicts nothing (input 0) and learns nothing, which saves its time
   * where it does not apply (record contexts in text).
   */
  setContext(i: number, hash: number): void {
    this.contextHash[i] = hash;
  }

  /** Finds every context's bucket for the nibble starting now; highNibble is 0 for the first nibble, else 16..31. */
  selectBuckets(highNibble: number): void {
    const t = this.table;
    let found = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.contextHash[i] === 0) {
        this.bucket[i] = -1;
        continue;
      }
      const h = Math.imul(this.contextHash[i] ^ Math.imul(highNibble + 1, 0x2f0b4ab3), 0x9e3779b1);
      const b0 = (h >>> this.bucketShift) << 4;
      // The check uses bits the index did not; |1 keeps it nonzero so an all-zero fresh table never matches.
      const check = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) & 0x7fffffff) | 1;
      let b = b0;
      if (t[b0] !== check) {
        const b1 = b0 ^ 16;
        if (t[b1] === check) {
          b = b1;
          if (i < this.orderContexts) found++;
        } else {
          b = this.count(t[b0 + 1]!) <= this.count(t[b1 + 1]!) ? b0 : b1;
          t[b] = check;
          for (let k = 1; k < 16; k++) t[b + k] = COUNTER_INIT;
        }
      } else if (i < this.orderContexts) found++;
      this.bucket[i] = b;
    }
    this.found = found;
  }

  /** How often a slot's counter was updated (capped), which decides what a collision replaces. */
  private count(v: number): number {
    return this.histories ? (v >> 8) & 0xff : v & 0xffff;
  }

  /**
   * Writes each context's stretched prediction for the bit at nibble tree node (1..15) into inputs[at..]. With
   * historiesAt (revision 9) the counter's and the history's predictions are two inputs, the counter's at at+i and
   * the history's at historiesAt+i (the counter's again while the slot has no history); without, their average.
   */
  predict(node: number, inputs: Int32Array, at: number, historiesAt?: number): void {
    const t = this.table;
    const histories = this.histories;
    for (let i = 0; i < this.size; i++) {
      const b = this.bucket[i];
      if (b < 0) {
        this.slot[i] = -1;
        inputs[at + i] = 0;
        if (historiesAt !== undefined) inputs[historiesAt + i] = 0;
        continue;
      }
      const s = b + node;
      this.slot[i] = s;
      const fromCounter = STRETCH[counterP12(t[s])];
      const history = histories ? counterHistory(t[s]) : 0;
      const fromHistory = history === 0 ? null : STRETCH[histories![i * HISTORY_STATES + history] >> 4];
      if (historiesAt !== undefined) {
        inputs[at + i] = fromCounter;
        inputs[historiesAt + i] = fromHistory ?? fromCounter;
      } else {
        // Integer halving (>> 1 rounds toward minus infinity), as the shipped coder does.
        inputs[at + i] = fromHistory === null ? fromCounter : (fromCounter + fromHistory) >> 1;
      }
    }
  }

  update(bit: number): void {
    const t = this.table;
    const histories = this.histories;
    const target = bit ? 65535 : 0;
    for (let i = 0; i < this.size; i++) {
      const s = this.slot[i];
      if (s < 0) continue;
      if (histories) {
        // The map entry of the slot's history as it is now: the one predict read, unless an earlier context
        // shares this slot and just moved it (both coders do the same, so it stays lossless).
        const e = i * HISTORY_STATES + counterHistory(t[s]);
        histories[e] += (target - histories[e]) >> HISTORY_RATE;
        t[s] = updateCounterWithHistory(t[s], bit, this.limit[i]);
      } else {
        t[s] = updateCounter(t[s], bit, this.limit[i]);
      }
    }
  }
}

/**
 * A prior's table in revision 5's layout: each counter keeps its probability, its count (capped at 255) moves to
 * bits 8..15, and its history starts empty; slot 0 of each bucket is a check value and stays.
 */
function adoptWithoutHistories(table: Int32Array): void {
  for (let i = 0; i < table.length; i++) {
    if ((i & 15) === 0) continue;
    const n = table[i]! & 0xffff;
    table[i] = (table[i]! & ~0xffff) | ((n > 255 ? 255 : n) << 8);
  }
}
