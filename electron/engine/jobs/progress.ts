// Progress reporting shared by every job: counts, a rate, and throttling so listeners see a few events a second.
import type { Progress, ProgressListener } from '../api.ts';

/** Listeners get at most one event per interval (plus forced ones). Tests set 0 to see every step. */
export const progressThrottle = { minIntervalMs: 200 };

export class ProgressTracker {
  readonly #listener: ProgressListener | undefined;
  readonly #started = performance.now();
  #lastEmit = 0;
  phase: Progress['phase'];
  bytesDone = 0;
  bytesTotal: number;
  entriesDone = 0;
  entriesTotal: number;
  currentEntry: string | null = null;
  packedBytes: number | undefined;
  packedRawBytes: number | undefined;

  constructor(listener: ProgressListener | undefined, phase: Progress['phase'], totals: { bytes: number; entries: number }) {
    this.#listener = listener;
    this.phase = phase;
    this.bytesTotal = totals.bytes;
    this.entriesTotal = totals.entries;
  }

  /** Emits if enough time has passed since the last event, or always when `force`. */
  emit(force = false): void {
    if (!this.#listener) return;
    const now = performance.now();
    if (!force && now - this.#lastEmit < progressThrottle.minIntervalMs) return;
    this.#lastEmit = now;
    const seconds = (now - this.#started) / 1000;
    const event: Progress = {
      phase: this.phase,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      entriesDone: this.entriesDone,
      entriesTotal: this.entriesTotal,
      currentEntry: this.currentEntry,
      bytesPerSecond: seconds > 0 ? Math.round(this.bytesDone / seconds) : 0,
    };
    if (this.packedBytes !== undefined) event.packedBytes = this.packedBytes;
    if (this.packedRawBytes !== undefined) event.packedRawBytes = this.packedRawBytes;
    this.#listener(event);
  }
}
