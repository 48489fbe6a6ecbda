// Detects fixed-length records (table rows, image scanlines): when some byte value keeps recurring at the same
// distance, that distance is probably the record length. The byte predictor then uses "the byte above" (one
// record back) and the column as contexts, which is what spreadsheets and bitmaps need.
import type { History } from './history.ts';

/** How many equal consecutive distances a byte value needs before its distance is believed. */
const CONFIRMATIONS = 3;
const MAX_RECORD = 1 << 16;
const HIT_THRESHOLD = 1 << 14;

export class RecordModel {
  private readonly history: History;
  private readonly lastPos = new Int32Array(256);
  private readonly lastDistance = new Int32Array(256);
  private readonly repeats = new Int32Array(256);
  /** The detected record length, or 0 while none is known. */
  length = 0;
  /** Position at which the current record length was adopted (columns count from there). */
  private origin = 0;
  /**
   * How often the byte one record back equalled the byte that came, as a moving average of 2^16: text has
   * chance regularities that look like short records, and its "byte above" is no better than a random byte.
   */
  private aboveHits = 0;

  constructor(history: History) {
    this.history = history;
  }

  /** Called once the byte at history.length - 1 is complete. */
  byteDone(): void {
    const pos = this.history.length - 1;
    const c = this.history.back(1);
    if (this.length > 0) {
      const hit = this.history.back(this.length + 1) === c ? 1 << 16 : 0;
      this.aboveHits += (hit - this.aboveHits) >> 7;
    }
    const d = pos - this.lastPos[c];
    this.lastPos[c] = pos;
    if (d === this.lastDistance[c]) {
      this.repeats[c]++;
      // Distance 1 is a run, not a record; ignore it (runs are the low orders' business).
      if (this.repeats[c] === CONFIRMATIONS && d > 2 && d <= MAX_RECORD && d !== this.length) {
        this.length = d;
        this.origin = pos + 1;
      }
    } else {
      this.lastDistance[c] = d;
      this.repeats[c] = 0;
    }
  }

  /** The record length when the byte above has been a useful predictor lately (over 1 in 4), else 0. */
  usefulLength(): number {
    return this.aboveHits > HIT_THRESHOLD ? this.length : 0;
  }

  /** Column of the next byte within the current record (0 when no record length is known). */
  column(): number {
    return this.length > 0 ? (this.history.length - this.origin) % this.length : 0;
  }
}
