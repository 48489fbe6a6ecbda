// Fixed-length record detection (the oracle's record-model.ts): a byte value recurring at the same distance
// suggests a record length, whose "byte above" and column become contexts.
import { alloc } from './memory';
import { back, historyLength } from './history';

const CONFIRMATIONS = 3;
const MAX_RECORD = 1 << 16;
const HIT_THRESHOLD = 1 << 14;

let lastPos: usize = 0;
let lastDistance: usize = 0;
let repeats: usize = 0;
export let recordLength: i32 = 0;
let origin: i32 = 0;
let aboveHits: i32 = 0;

export function allocRecord(): void {
  lastPos = alloc(256 * 4);
  lastDistance = alloc(256 * 4);
  repeats = alloc(256 * 4);
}

export function resetRecord(): void {
  memory.fill(lastPos, 0, 256 * 4);
  memory.fill(lastDistance, 0, 256 * 4);
  memory.fill(repeats, 0, 256 * 4);
  recordLength = 0;
  origin = 0;
  aboveHits = 0;
}

export function recordByteDone(): void {
  const pos = historyLength - 1;
  const c = back(1);
  if (recordLength > 0) {
    const hit = back(recordLength + 1) == c ? 1 << 16 : 0;
    aboveHits += (hit - aboveHits) >> 7;
  }
  const cp = (<usize>c) << 2;
  const d = pos - load<i32>(lastPos + cp);
  store<i32>(lastPos + cp, pos);
  if (d == load<i32>(lastDistance + cp)) {
    const r = load<i32>(repeats + cp) + 1;
    store<i32>(repeats + cp, r);
    if (r == CONFIRMATIONS && d > 2 && d <= MAX_RECORD && d != recordLength) {
      recordLength = d;
      origin = pos + 1;
    }
  } else {
    store<i32>(lastDistance + cp, d);
    store<i32>(repeats + cp, 0);
  }
}

export function usefulRecordLength(): i32 {
  return aboveHits > HIT_THRESHOLD ? recordLength : 0;
}

export function recordColumn(): i32 {
  return recordLength > 0 ? (historyLength - origin) % recordLength : 0;
}
