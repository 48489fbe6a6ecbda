// Linear memory of one predictor instance: static data first (memory.data: the fixed-size tables and per-context
// arrays, built or cleared by their modules; their addresses are constants, so an access is a single load with no
// global read first: measured, a twentieth fewer instructions per coded byte), then the regions of one stream,
// laid out by index.ts's init() for its table size, then the I/O region, which grows at the end.
// Memory never shrinks; an instance is reused for later streams (the host keeps a small pool), so regions that
// must start at zero are cleared unless they lie in pages fresh from memory.grow, which are zero already (and
// clearing them would fault in memory that a small stream never touches).

let cursor: usize = (__heap_base + 63) & ~63;

/** Reserves bytes at the cursor (64-byte aligned: one cache line) and makes sure memory reaches them. */
export function alloc(bytes: usize): usize {
  const at = (cursor + 63) & ~(<usize>63);
  cursor = at + bytes;
  ensureMemory(cursor);
  return at;
}

export function mark(): usize {
  return cursor;
}

export function rewind(to: usize): void {
  cursor = to;
}

/** The end of memory that is currently mapped. */
export function memoryEnd(): usize {
  return (<usize>memory.size()) << 16;
}

export function ensureMemory(end: usize): void {
  const have = memoryEnd();
  if (end <= have) return;
  const pages = <i32>((end - have + 0xffff) >> 16);
  if (memory.grow(pages) < 0) unreachable();
}
