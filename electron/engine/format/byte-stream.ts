// Little binary writer and distrustful reader for the catalog: unsigned LEB128 varints, zigzag for signed
// deltas, length-prefixed UTF-8. The reader never reads past its buffer and never builds a number past 2^53,
// so a crafted catalog fails with 'damaged' instead of allocating or looping.
import { OctozipError } from '../errors.ts';

export class ByteWriter {
  #buffer = new Uint8Array(256);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value & 0xff;
  }

  /** Unsigned integer up to 2^53 - 1. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    this.#reserve(8);
    while (value >= 0x80) {
      this.#buffer[this.#length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.#buffer[this.#length++] = value;
  }

  /** Signed integer, zigzag-coded so small magnitudes of either sign stay short. */
  signed(value: number): void {
    this.varint(value < 0 ? -2 * value - 1 : 2 * value);
  }

  u32(value: number): void {
    this.#reserve(4);
    for (let i = 0; i < 4; i++) this.#buffer[this.#length++] = (value >>> (8 * i)) & 0xff;
  }

  bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Length-prefixed bytes. */
  chunk(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.bytes(bytes);
  }

  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #what: string;
  #offset = 0;

  /** `what` names the structure in error messages ("the entry list"). */
  constructor(bytes: Uint8Array, what: string) {
    this.#bytes = bytes;
    this.#what = what;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  damaged(why: string): OctozipError {
    return new OctozipError('damaged', `The archive's ${this.#what} is damaged (${why}).`);
  }

  byte(): number {
    if (this.#offset >= this.#bytes.length) throw this.damaged('it ends early');
    return this.#bytes[this.#offset++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (!Number.isSafeInteger(value)) throw this.damaged('a number is out of range');
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }

  signed(): number {
    const z = this.varint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  /** A count of items that each take at least `minBytes` of what is left: a lying count fails here. */
  count(minBytes: number): number {
    const n = this.varint();
    if (n * minBytes > this.remaining) throw this.damaged(`it claims ${n} items in ${this.remaining} bytes`);
    return n;
  }

  u32(): number {
    if (this.remaining < 4) throw this.damaged('it ends early');
    const b = this.#bytes;
    const o = this.#offset;
    this.#offset += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  bytes(length: number): Uint8Array {
    if (length > this.remaining) throw this.damaged('it ends early');
    const out = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  /** The bytes up to the next 0 byte, which is read and not returned. */
  untilZero(): Uint8Array {
    const end = this.#bytes.indexOf(0, this.#offset);
    if (end < 0) throw this.damaged('a text has no end');
    const out = this.bytes(end - this.#offset);
    this.byte();
    return out;
  }

  chunk(): Uint8Array {
    return this.bytes(this.varint());
  }

  text(length: number): string {
    try {
      return utf8.decode(this.bytes(length));
    } catch (err) {
      if (err instanceof OctozipError) throw err;
      throw this.damaged('a name is not valid UTF-8');
    }
  }

  /** Throws unless every byte was read: trailing bytes mean a writer and reader disagree. */
  end(): void {
    if (this.remaining !== 0) throw this.damaged(`${this.remaining} bytes are left over`);
  }
}
