// An adaptive probability map (secondary symbol estimation): refines a probability given a context by
// interpolating between 33 learned points along the stretched input. It corrects systematic over- or
// under-confidence of the mixer in contexts the mixer cannot see.
import { squash as importedSquash, STRETCH as importedSTRETCH } from './logistic.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const squash = importedSquash;
const STRETCH = importedSTRETCH;

/** The identity map at the 33 points, as 16-bit probabilities. */
const IDENTITY = new Int32Array(33);
for (let j = 0; j < 33; j++) IDENTITY[j] = squash((j - 16) * 128) * 16;

/** Contexts per page: one page per value of the context's high byte (the previous byte, in our callers). */
const PAGE_CONTEXTS = 256;
const PAGE_SIZE = PAGE_CONTEXTS * 33;

export class Apm {
  /**
   * Each point stored as its difference from the identity map, so a fresh page is all zeros. Pages are
   * allocated on first use: a whole 65,536-context table is 8.6 MB, and zeroing it up front cost several
   * milliseconds per predictor, which dominated the coding of small files.
   */
  private readonly pages: (Int32Array | undefined)[];
  private readonly rate: number;
  private page: Int32Array = new Int32Array(PAGE_SIZE);
  private index = 0;
  /** Revision 10: update moves both points the input fell between, not only the nearer one. */
  bothPoints = false;

  constructor(contexts: number, rate: number) {
    if (contexts % PAGE_CONTEXTS !== 0) throw new RangeError(`APM contexts must be a multiple of ${PAGE_CONTEXTS}`);
    this.pages = new Array<Int32Array | undefined>(contexts / PAGE_CONTEXTS);
    this.rate = rate;
  }

  /** Every context's points as one array (untouched pages as zeros), for saving as a prior. */
  learnedState(): Int32Array {
    const out = new Int32Array(this.pages.length * PAGE_SIZE);
    this.pages.forEach((page, i) => {
      if (page) out.set(page, i * PAGE_SIZE);
    });
    return out;
  }

  /** Starts from learnedState(), adopted, not copied: every page becomes a view of it. */
  restore(state: Int32Array): void {
    if (state.length !== this.pages.length * PAGE_SIZE) throw new RangeError('APM state of the wrong size');
    for (let i = 0; i < this.pages.length; i++) this.pages[i] = state.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
  }

  /** The refined 12-bit probability of p (0..4095) in context cx (0 <= cx < contexts). */
  refine(p: number, cx: number): number {
    const s = STRETCH[p] + 2048;
    const lo = s >> 7;
    const w = s & 127;
    const pageIndex = cx >>> 8;
    let page = this.pages[pageIndex];
    if (page === undefined) {
      page = new Int32Array(PAGE_SIZE);
      this.pages[pageIndex] = page;
    }
    this.page = page;
    const i = (cx & (PAGE_CONTEXTS - 1)) * 33 + lo;
    this.index = this.bothPoints ? i : w < 64 ? i : i + 1;
    const a = page[i] + IDENTITY[lo];
    const b = page[i + 1] + IDENTITY[lo + 1];
    return (a * (128 - w) + b * w) >> 11;
  }

  /**
   * Moves the point nearer to the last input toward the coded bit (staying within 0..65535, as in lpaq1); with
   * bothPoints, the two points around it (the lower is `index`), each by its own distance.
   */
  update(bit: number): void {
    const g = (bit << 16) + (bit << this.rate) - bit - bit;
    const i = this.index;
    const page = this.page;
    const v = page[i] + IDENTITY[i % 33];
    page[i] += (g - v) >> this.rate;
    if (this.bothPoints) {
      const v1 = page[i + 1] + IDENTITY[(i % 33) + 1];
      page[i + 1] += (g - v1) >> this.rate;
    }
  }
}
