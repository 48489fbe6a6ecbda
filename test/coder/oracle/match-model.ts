// The match model: finds the last place the previous MIN_LEN bytes occurred and predicts that history repeats.
// It is what makes a file stored twice, or a log's repeated lines, cost almost nothing the second time.
// Its prediction is learned: a counter per (match length bucket, predicted bit, last byte) says how often that held.
// Revision 4 also remembers where the previous LONG_LEN bytes occurred, in the second half of the position
// table, and prefers that candidate.
import { COUNTER_INIT as importedCOUNTER_INIT, counterP12 as importedCounterP12, updateCounter as importedUpdateCounter } from './adaptive-counter.ts';
import type { History } from './history.ts';
import { STRETCH as importedSTRETCH } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const COUNTER_INIT = importedCOUNTER_INIT;
const counterP12 = importedCounterP12;
const updateCounter = importedUpdateCounter;
const STRETCH = importedSTRETCH;

const MIN_LEN = 6;
const MAX_LEN = 65535;
/** How far back a new match is verified: lengths beyond this all use the top bucket anyway. */
const VERIFY_LEN = 32;
const LONG_LEN = 20;

/** Length buckets: exact up to 15, then coarser; 0 means no match. */
function lengthBucket(len: number): number {
  if (len < 16) return len;
  if (len < 32) return 16 + ((len - 16) >> 2);
  if (len < 64) return 20 + ((len - 32) >> 3);
  if (len < 512) return 24 + ((len - 64) >> 6);
  return 31;
}

export class MatchModel {
  private readonly history: History;
  private readonly positions: Int32Array;
  private readonly hashShift: number;
  /** Where the long hashes' half of positions starts; 0 without long candidates (revision 3). */
  private readonly longBase: number;
  private readonly counters = new Int32Array(64 * 256).fill(COUNTER_INIT);
  /** Position in history of the byte the match predicts next, valid when length > 0. */
  private ptr = 0;
  length = 0;
  /** The byte the match predicts (with a leading 1 bit), valid when length > 0. */
  predictedByte = 0;
  /** 0 when no prediction for the current bit, else 1 + predicted bit. */
  expectedBit = 0;
  private counterIndex = 0;

  constructor(history: History, hashBits: number, longCandidates: boolean) {
    this.history = history;
    this.positions = new Int32Array(1 << hashBits);
    this.longBase = longCandidates ? 1 << (hashBits - 1) : 0;
    this.hashShift = 32 - (longCandidates ? hashBits - 1 : hashBits);
  }

  /** The learned confidence counters (not positions: a prior carries statistics, not text). */
  learnedState(): Int32Array {
    return this.counters;
  }

  restore(state: Int32Array): void {
    if (state.length !== this.counters.length) throw new RangeError('match state of the wrong size');
    this.counters.set(state);
  }

  /** Takes candidate (a position after an earlier occurrence) if it verifies longer than the match held now. */
  private tryCandidate(candidate: number): void {
    if (candidate <= 0) return;
    const h = this.history;
    let len = 0;
    while (len < VERIFY_LEN && h.holds(candidate - 1 - len) && h.at(candidate - 1 - len) === h.back(len + 1)) len++;
    if (len >= MIN_LEN && len > this.length) {
      this.length = len;
      this.ptr = candidate;
    }
  }

  /** Called once the byte at history.length - 1 is complete. */
  byteDone(): void {
    const h = this.history;
    const pos = h.length;
    if (this.length > 0) {
      if (h.at(this.ptr) === h.back(1) && this.length < MAX_LEN) {
        this.length++;
        this.ptr++;
      } else this.length = 0;
    }
    if (pos < MIN_LEN) return;
    let hash = 0;
    for (let i = 1; i <= MIN_LEN; i++) hash = Math.imul(hash ^ h.back(i), 0x2f0b4ab3) + i;
    const slot = (Math.imul(hash, 0x9e3779b1) >>> this.hashShift);
    let longSlot = -1;
    if (this.longBase > 0 && pos >= LONG_LEN) {
      let longHash = hash;
      for (let i = MIN_LEN + 1; i <= LONG_LEN; i++) longHash = Math.imul(longHash ^ h.back(i), 0x2f0b4ab3) + i;
      longSlot = this.longBase + (Math.imul(longHash, 0x9e3779b1) >>> this.hashShift);
    }
    if (this.length === 0) {
      if (longSlot >= 0) this.tryCandidate(this.positions[longSlot]);
      if (this.length < LONG_LEN) this.tryCandidate(this.positions[slot]);
    }
    this.positions[slot] = pos;
    if (longSlot >= 0) this.positions[longSlot] = pos;
    if (this.length > 0) this.predictedByte = h.at(this.ptr) | 256;
  }

  /**
   * Writes two inputs for the next bit given the partial byte c0 (1..255 with a leading 1) and bitIndex (0..7):
   * the learned confidence, and a fixed-strength vote that lets the mixer trust long matches quickly.
   */
  predict(c0: number, bitIndex: number, c1: number, inputs: Int32Array, at: number): void {
    if (this.length > 0 && this.predictedByte >> (8 - bitIndex) === c0) {
      const bit = (this.predictedByte >> (7 - bitIndex)) & 1;
      this.expectedBit = 1 + bit;
      const ctx = (lengthBucket(this.length) << 1) | bit;
      this.counterIndex = (ctx << 8) | c1;
      const st = STRETCH[counterP12(this.counters[this.counterIndex])];
      inputs[at] = st;
      const strength = this.length > 31 ? 2047 : this.length << 6;
      inputs[at + 1] = bit ? strength : -strength;
    } else {
      this.expectedBit = 0;
      this.counterIndex = -1;
      inputs[at] = 0;
      inputs[at + 1] = 0;
    }
  }

  update(bit: number): void {
    if (this.counterIndex >= 0) {
      this.counters[this.counterIndex] = updateCounter(this.counters[this.counterIndex], bit, 255);
    }
  }
}
