// A carry-less 32-bit binary arithmetic coder (the lpaq1 scheme). Each bit is coded with a 12-bit integer
// probability p1 = P(bit = 1) of 4096: the interval [x1, x2] is split at x1 + range * p1 / 4096, so the
// "frequencies" of the two symbols are p1 and 4096 - p1. All arithmetic is on integers below 2^53 in doubles,
// which is exact, so encoder and decoder agree on every machine.

function clampP(p1: number): number {
  return p1 < 1 ? 1 : p1 > 4095 ? 4095 : p1;
}

export class BinaryEncoder {
  private x1 = 0;
  private x2 = 0xffffffff;
  private out: Uint8Array = new Uint8Array(1 << 12);
  private n = 0;

  /** Codes one bit; p1 is P(bit = 1) in 1..4095 of 4096 (values outside are clamped). */
  encode(bit: number, p1: number): void {
    const p = clampP(p1);
    const range = this.x2 - this.x1;
    // range >>> 12 times p stays below 2^32; the low 12 bits add the remainder's share.
    const xmid = this.x1 + (range >>> 12) * p + (((range & 0xfff) * p) >>> 12);
    if (bit) this.x2 = xmid;
    else this.x1 = xmid + 1;
    // Shift out the leading bytes the two ends already share.
    while (((this.x1 ^ this.x2) & 0xff000000) === 0) {
      this.put(this.x2 >>> 24);
      this.x1 = (this.x1 << 8) >>> 0;
      this.x2 = ((this.x2 << 8) | 255) >>> 0;
    }
  }

  /** Ends the stream. One byte suffices: the decoder pads with 0xff, which lands inside [x1, x2]. */
  finish(): Uint8Array {
    this.put(this.x1 >>> 24);
    return this.out.slice(0, this.n);
  }

  private put(byte: number): void {
    if (this.n === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.n++] = byte;
  }
}

export class BinaryDecoder {
  private x1 = 0;
  private x2 = 0xffffffff;
  private x = 0;
  private pos = 0;
  private readonly data: Uint8Array;

  constructor(data: Uint8Array) {
    this.data = data;
    for (let i = 0; i < 4; i++) this.x = ((this.x << 8) | this.next()) >>> 0;
  }

  /** Decodes one bit coded with the same p1 the encoder used. Never throws: past the end it reads 0xff. */
  decode(p1: number): number {
    const p = clampP(p1);
    const range = this.x2 - this.x1;
    const xmid = this.x1 + (range >>> 12) * p + (((range & 0xfff) * p) >>> 12);
    let bit: number;
    if (this.x <= xmid) {
      bit = 1;
      this.x2 = xmid;
    } else {
      bit = 0;
      this.x1 = xmid + 1;
    }
    while (((this.x1 ^ this.x2) & 0xff000000) === 0) {
      this.x1 = (this.x1 << 8) >>> 0;
      this.x2 = ((this.x2 << 8) | 255) >>> 0;
      this.x = ((this.x << 8) | this.next()) >>> 0;
    }
    return bit;
  }

  private next(): number {
    return this.pos < this.data.length ? this.data[this.pos++] : 255;
  }
}
