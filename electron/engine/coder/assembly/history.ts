// The bytes coded so far, addressed by absolute position (the oracle's history.ts). The ring is allocated at
// its maximum size, but `mask` grows as the oracle's buffer does (from 2^16, doubling), because holds()
// depends on it; indexing with the maximum mask reads the same bytes, since below the maximum every position
// is smaller than the ring.
import { alloc } from './memory';

const HISTORY_BITS = 22;
const MAX_SIZE: i32 = 1 << HISTORY_BITS;
const MAX_MASK: i32 = MAX_SIZE - 1;
const INITIAL_BITS = 16;

let buf: usize = 0;
let mask: i32 = 0;
/** Number of bytes appended so far (the absolute position of the next byte). */
export let historyLength: i32 = 0;

export function allocHistory(): void {
  buf = alloc(<usize>MAX_SIZE);
}

export function resetHistory(): void {
  mask = (1 << (INITIAL_BITS < HISTORY_BITS ? INITIAL_BITS : HISTORY_BITS)) - 1;
  historyLength = 0;
}

export function pushByte(byte: i32): void {
  if (historyLength == mask + 1 && historyLength < MAX_SIZE) mask = mask * 2 + 1;
  store<u8>(buf + <usize>(historyLength & MAX_MASK), <u8>byte);
  historyLength++;
}

// @ts-ignore: decorator
@inline export function holds(pos: i32): bool {
  return pos >= 0 && pos < historyLength && historyLength - pos <= mask;
}

// @ts-ignore: decorator
@inline export function byteAt(pos: i32): i32 {
  return load<u8>(buf + <usize>(pos & MAX_MASK));
}

/** The byte i positions back (1 = the last byte); 0 before the start. */
// @ts-ignore: decorator
@inline export function back(i: i32): i32 {
  return i <= historyLength ? load<u8>(buf + <usize>((historyLength - i) & MAX_MASK)) : 0;
}
