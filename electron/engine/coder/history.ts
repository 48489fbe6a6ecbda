// The bytes coded so far, as the models see them: a ring buffer addressed by absolute position, so models
// can store positions without caring about wrap-around (a position older than the ring reads as absent).

export class History {
  private readonly buf: Uint8Array;
  private readonly mask: number;
  /** Number of bytes appended so far (the absolute position of the next byte). */
  length = 0;

  constructor(bits: number) {
    this.buf = new Uint8Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }

  push(byte: number): void {
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
