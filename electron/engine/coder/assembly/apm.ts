// Adaptive probability maps (the oracle's apm.ts): refine a probability in a context by interpolating between
// 33 learned points, stored as differences from the identity map so that fresh memory is a fresh map. Each map
// has 65,536 contexts in 256 pages of 256 contexts; a page is cleared on its first use in a stream (when it
// is not fresh memory), so a small stream pays for the pages it touches, not for 8.6 MB per map.
import { squash, stretch } from './logistic';
import { alloc } from './memory';

export const APM_CONTEXTS = 1 << 16;
const PAGE_CONTEXTS = 256;
const PAGES = APM_CONTEXTS / PAGE_CONTEXTS;
const PAGE_BYTES: usize = PAGE_CONTEXTS * 33 * 4;
export const APM_POINTS: i32 = APM_CONTEXTS * 33;
export const APM_COUNT = 5;

const IDENTITY: usize = memory.data(33 * 4, 64);
/** Per map: its points, its pages' "in use this stream" flags, its rate, and the point the last refine chose. */
// (Small arrays in static linear memory, memory.data: this module has no garbage-collected heap.)
const points: usize = memory.data(APM_COUNT * sizeof<usize>(), 64);
const pageReady: usize = memory.data(APM_COUNT * PAGES, 64);
const rates: usize = memory.data(APM_COUNT * 4, 64);
const lastPoint: usize = memory.data(APM_COUNT * sizeof<usize>(), 64);
const lastIndex: usize = memory.data(APM_COUNT * 4, 64);
/** Pages at or above this address are fresh from memory.grow (zero) in the current stream. */
let cleanFrom: usize = 0;
/**
 * Revision 10: an update moves both points the input fell between (as lpaq1 does), not only the nearer one. On
 * own validation text 0.06-0.09% smaller on code and markup, 0.24% on a shared library, 1.1% on a 1-bit bitmap.
 */
let bothPoints: bool = false;

export function buildApmTables(): void {
  for (let j = 0; j < 33; j++) store<i32>(IDENTITY + ((<usize>j) << 2), squash((j - 16) * 128) * 16);
}

// @ts-ignore: decorator
@inline function pointsOf(a: i32): usize {
  return load<usize>(points + ((<usize>a) * sizeof<usize>()));
}

/** Lays out map a's points at the cursor. */
export function allocApm(a: i32, rate: i32): usize {
  const p = alloc(<usize>APM_POINTS << 2);
  store<usize>(points + (<usize>a) * sizeof<usize>(), p);
  store<i32>(rates + ((<usize>a) << 2), rate);
  return p;
}

export function apmPoints(a: i32): usize {
  return pointsOf(a);
}

/** Starts a stream: no page in use; clean: where fresh memory begins; both: revision 10's update (bothPoints). */
export function resetApms(clean: usize, both: bool): void {
  cleanFrom = clean;
  bothPoints = both;
  memory.fill(pageReady, 0, APM_COUNT * PAGES);
  for (let a = 0; a < APM_COUNT; a++) {
    store<usize>(lastPoint + (<usize>a) * sizeof<usize>(), pointsOf(a));
    store<i32>(lastIndex + ((<usize>a) << 2), 0);
  }
}

/** Every page of map a holds learned points (a prior's, written by the host; or zeros, cleared here). */
export function apmAllPagesReady(a: i32, clear: bool): void {
  for (let page = 0; page < PAGES; page++) readyPage(a, page, clear);
}

function readyPage(a: i32, page: i32, clear: bool): void {
  const flag = pageReady + <usize>(a * PAGES + page);
  if (load<u8>(flag)) return;
  const start = pointsOf(a) + <usize>page * PAGE_BYTES;
  if (clear && start < cleanFrom) memory.fill(start, 0, PAGE_BYTES);
  store<u8>(flag, 1);
}

/** The refined 12-bit probability of p (0..4095) in context cx (0..65535) with map a. */
// @ts-ignore: decorator
@inline export function refine(a: i32, p: i32, cx: i32): i32 {
  const s = stretch(p) + 2048;
  const lo = s >> 7;
  const w = s & 127;
  const pageIndex = cx >>> 8;
  if (!load<u8>(pageReady + <usize>(a * PAGES + pageIndex))) readyPage(a, pageIndex, true);
  // Pages are 256 contexts of 33 points in a row, so context cx's points start at cx * 33.
  const i = cx * 33 + lo;
  const at = pointsOf(a) + ((<usize>i) << 2);
  const step = bothPoints ? 0 : w < 64 ? 0 : 1;
  const chosen = i + step;
  store<i32>(lastIndex + ((<usize>a) << 2), lo + step);
  store<usize>(lastPoint + (<usize>a) * sizeof<usize>(), pointsOf(a) + ((<usize>chosen) << 2));
  const va = load<i32>(at) + load<i32>(IDENTITY + ((<usize>lo) << 2));
  const vb = load<i32>(at, 4) + load<i32>(IDENTITY + ((<usize>(lo + 1)) << 2));
  return (va * (128 - w) + vb * w) >> 11;
}

/** Moves the point nearer to the last input (from revision 10 both points around it) toward the coded bit. */
// @ts-ignore: decorator
@inline export function apmUpdate(a: i32, bit: i32): void {
  const rate = load<i32>(rates + ((<usize>a) << 2));
  const g = (bit << 16) + (bit << rate) - bit - bit;
  const at = load<usize>(lastPoint + (<usize>a) * sizeof<usize>());
  const j = load<i32>(lastIndex + ((<usize>a) << 2));
  const v = load<i32>(at) + load<i32>(IDENTITY + ((<usize>j) << 2));
  store<i32>(at, load<i32>(at) + ((g - v) >> rate));
  if (bothPoints) {
    const v1 = load<i32>(at, 4) + load<i32>(IDENTITY + ((<usize>(j + 1)) << 2));
    store<i32>(at, load<i32>(at, 4) + ((g - v1) >> rate), 4);
  }
}
