// The bytes coded so far, as the models see them: a ring buffer addressed by absolute position, so models
// can store positions without caring about wrap-around (a position older than the ring reads as absent).
// The ring starts small and doubles up to its maximum as bytes arrive, so small chunks stay cheap.

const INITIAL_BITS = 16;

export class History {
  private buf: Uint8Array;
  private mask: number;
  private readonly maxSize: number;
  /** Number of bytes appended so far (the absolute position of the next byte). */
  length = 0;

  constructor(maxBits: number) {
    this.maxSize = 1 << maxBits;
    this.buf = new Uint8Array(1 << Math.min(INITIAL_BITS, maxBits));
    this.mask = this.buf.length - 1;
  }

  push(byte: number): void {
    if (this.length === this.buf.length && this.length < this.maxSize) {
      // Every position 0..length-1 is held, at the same index under the larger mask.
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
      this.mask = grown.length - 1;
    }
    this.buf[this.length & this.mask] = byte;
    this.length++;
  }

  /** True when absolute position pos is still in the ring. */
  holds(pos: number): boolean {
    return pos >= 0 && pos < this.length && this.length - pos <= this.mask;
  }

  /** The byte at absolute position pos (caller checks holds() for positions it did not just see). */
  at(pos: number): number {
    return this.buf[pos & this.mask];
  }

  /** The byte i positions back (1 = the last byte); 0 before the start. */
  back(i: number): number {
    return i <= this.length ? this.buf[(this.length - i) & this.mask] : 0;
  }
}
