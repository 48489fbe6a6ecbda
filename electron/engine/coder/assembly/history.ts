// The bytes coded so far, addressed by absolute position (the oracle's history.ts). The ring is allocated at
// the largest size any revision uses, but `mask` grows as the oracle's buffer does (from 2^16, doubling, up to
// the stream's revision's size), because holds() depends on it; indexing with the revision's largest mask reads
// the same bytes, since below it every position is smaller than the ring.
import { alloc } from './memory';

/** Revision 3: 4 MiB (the largest format-1 chunk); revision 4: 16 MiB, a whole solid block, so a match reaches
 * back across all of it (measured on own validation text: JavaScript 8.6% smaller, C 0.9%). */
export const HISTORY_BITS_3 = 22;
export const HISTORY_BITS_4 = 24;
const MAX_SIZE: i32 = 1 << HISTORY_BITS_4;
const INITIAL_BITS = 16;

let buf: usize = 0;
let mask: i32 = 0;
let maxSize: i32 = 1 << HISTORY_BITS_3;
let maxMask: i32 = (1 << HISTORY_BITS_3) - 1;
/** Number of bytes appended so far (the absolute position of the next byte). */
export let historyLength: i32 = 0;

export function allocHistory(): void {
  buf = alloc(<usize>MAX_SIZE);
}

/** Starts a stream whose ring grows to 2^bits bytes. */
export function resetHistory(bits: i32): void {
  maxSize = 1 << bits;
  maxMask = maxSize - 1;
  mask = (1 << (INITIAL_BITS < bits ? INITIAL_BITS : bits)) - 1;
  historyLength = 0;
}

export function pushByte(byte: i32): void {
  if (historyLength == mask + 1 && historyLength < maxSize) mask = mask * 2 + 1;
  store<u8>(buf + <usize>(historyLength & maxMask), <u8>byte);
  historyLength++;
}

// @ts-ignore: decorator
@inline export function holds(pos: i32): bool {
  return pos >= 0 && pos < historyLength && historyLength - pos <= mask;
}

// @ts-ignore: decorator
@inline export function byteAt(pos: i32): i32 {
  return load<u8>(buf + <usize>(pos & maxMask));
}

/** The byte i positions back (1 = the last byte); 0 before the start. */
// @ts-ignore: decorator
@inline export function back(i: i32): i32 {
  return i <= historyLength ? load<u8>(buf + <usize>((historyLength - i) & maxMask)) : 0;
}
