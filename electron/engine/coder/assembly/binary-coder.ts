// The carry-less 32-bit binary arithmetic coder (the oracle's binary-coder.ts, the lpaq1 scheme) on u32:
// xmid never exceeds x2, so nothing overflows. The encoder writes into the I/O region, growing memory as it
// goes; the decoder reads its input there and pads with 0xff past the end.
import { ensureMemory } from './memory';

let x1: u32 = 0;
let x2: u32 = 0xffffffff;
let x: u32 = 0;
let outStart: usize = 0;
let outPos: usize = 0;
let outLimit: usize = 0;
let inPos: usize = 0;
let inEnd: usize = 0;

// @ts-ignore: decorator
@inline function clampP(p1: i32): u32 {
  return <u32>(p1 < 1 ? 1 : p1 > 4095 ? 4095 : p1);
}

export function encoderStart(at: usize): void {
  x1 = 0;
  x2 = 0xffffffff;
  outStart = at;
  outPos = at;
  outLimit = at;
}

function put(byte: u32): void {
  if (outPos >= outLimit) {
    outLimit = outPos + (1 << 20);
    ensureMemory(outLimit);
  }
  store<u8>(outPos, <u8>byte);
  outPos++;
}

// @ts-ignore: decorator
@inline export function encodeBit(bit: i32, p1: i32): void {
  const p = clampP(p1);
  const range = x2 - x1;
  const xmid = x1 + (range >>> 12) * p + (((range & 0xfff) * p) >>> 12);
  if (bit) x2 = xmid;
  else x1 = xmid + 1;
  while (((x1 ^ x2) & 0xff000000) == 0) {
    put(x2 >>> 24);
    x1 = x1 << 8;
    x2 = (x2 << 8) | 255;
  }
}

/** Ends the stream; returns the number of bytes written since encoderStart. */
export function encoderFinish(): usize {
  put(x1 >>> 24);
  return outPos - outStart;
}

/** What encoderFinish would return if called now: it writes exactly one more byte. */
export function encoderFinishedLength(): usize {
  return outPos - outStart + 1;
}

// @ts-ignore: decorator
@inline function nextIn(): u32 {
  if (inPos < inEnd) return load<u8>(inPos++);
  return 255;
}

export function decoderStart(at: usize, length: usize): void {
  x1 = 0;
  x2 = 0xffffffff;
  x = 0;
  inPos = at;
  inEnd = at + length;
  for (let i = 0; i < 4; i++) x = (x << 8) | nextIn();
}

// @ts-ignore: decorator
@inline export function decodeBit(p1: i32): i32 {
  const p = clampP(p1);
  const range = x2 - x1;
  const xmid = x1 + (range >>> 12) * p + (((range & 0xfff) * p) >>> 12);
  let bit = 0;
  if (x <= xmid) {
    bit = 1;
    x2 = xmid;
  } else x1 = xmid + 1;
  while (((x1 ^ x2) & 0xff000000) == 0) {
    x1 = x1 << 8;
    x2 = (x2 << 8) | 255;
    x = (x << 8) | nextIn();
  }
  return bit;
}
