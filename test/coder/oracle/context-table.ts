// Hashed context statistics, the workhorse of the adaptive stage. Each context (order-n bytes, a word, a
// record column...) owns one 16-slot bucket per nibble: slot 0 holds a check value identifying the context,
// slots 1..15 are the binary tree of counters for the nibble's bits. A byte thus touches two buckets
// (two cache lines) per context. Buckets are looked up in two neighbouring places; on a miss the one with
// fewer observations is replaced, so a collision starts from fresh counters instead of foreign statistics.
import { COUNTER_INIT as importedCOUNTER_INIT, counterP12 as importedCounterP12, updateCounter as importedUpdateCounter } from './adaptive-counter.ts';
import { STRETCH as importedSTRETCH } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const COUNTER_INIT = importedCOUNTER_INIT;
const counterP12 = importedCounterP12;
const updateCounter = importedUpdateCounter;
const STRETCH = importedSTRETCH;

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

  /** tableBits: log2 of the table's int32 slots (memory = 4 << tableBits bytes); limits: per-context count caps. */
  /** initial: a learned table to start from (a prior's); it is adopted, not copied, and changes as this table learns. */
  constructor(tableBits: number, limits: readonly number[], orderContexts = 0, initial?: Int32Array) {
    this.orderContexts = orderContexts;
    if (initial && initial.length !== 1 << tableBits) throw new RangeError(`a learned table of ${initial.length} slots does not fit 2^${tableBits}`);
    this.table = initial ?? new Int32Array(1 << tableBits);
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
          b = (t[b0 + 1] & 0xffff) <= (t[b1 + 1] & 0xffff) ? b0 : b1;
          t[b] = check;
          for (let k = 1; k < 16; k++) t[b + k] = COUNTER_INIT;
        }
      } else if (i < this.orderContexts) found++;
      this.bucket[i] = b;
    }
    this.found = found;
  }

  /** Writes each context's stretched prediction for the bit at nibble tree node (1..15) into inputs[at..]. */
  predict(node: number, inputs: Int32Array, at: number): void {
    const t = this.table;
    for (let i = 0; i < this.size; i++) {
      const b = this.bucket[i];
      if (b < 0) {
        this.slot[i] = -1;
        inputs[at + i] = 0;
        continue;
      }
      const s = b + node;
      this.slot[i] = s;
      inputs[at + i] = STRETCH[counterP12(t[s])];
    }
  }

  update(bit: number): void {
    const t = this.table;
    for (let i = 0; i < this.size; i++) {
      const s = this.slot[i];
      if (s < 0) continue;
      t[s] = updateCounter(t[s], bit, this.limit[i]);
    }
  }
}
