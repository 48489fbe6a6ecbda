// The match model: finds the last place the previous MIN_LEN bytes occurred and predicts that history repeats.
// It is what makes a file stored twice, or a log's repeated lines, cost almost nothing the second time.
// Its prediction is learned: a counter per (match length bucket, predicted bit, last byte) says how often that held.
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
  private readonly counters = new Int32Array(64 * 256).fill(COUNTER_INIT);
  /** Position in history of the byte the match predicts next, valid when length > 0. */
  private ptr = 0;
  length = 0;
  /** The byte the match predicts (with a leading 1 bit), valid when length > 0. */
  predictedByte = 0;
  /** 0 when no prediction for the current bit, else 1 + predicted bit. */
  expectedBit = 0;
  private counterIndex = 0;

  constructor(history: History, hashBits: number) {
    this.history = history;
    this.positions = new Int32Array(1 << hashBits);
    this.hashShift = 32 - hashBits;
  }

  /** The learned confidence counters (not positions: a prior carries statistics, not text). */
  learnedState(): Int32Array {
    return this.counters;
  }

  restore(state: Int32Array): void {
    if (state.length !== this.counters.length) throw new RangeError('match state of the wrong size');
    this.counters.set(state);
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
    if (this.length === 0) {
      const candidate = this.positions[slot];
      if (candidate > 0) {
        let len = 0;
        while (len < VERIFY_LEN && h.holds(candidate - 1 - len) && h.at(candidate - 1 - len) === h.back(len + 1)) len++;
        if (len >= MIN_LEN) {
          this.length = len;
          this.ptr = candidate;
        }
      }
    }
    this.positions[slot] = pos;
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
