// The network's input rows: for byte t of a chunk (or segment), the K bytes before it, oldest first, with the pad
// symbol where t - K + p falls before the start. Encoding writes all rows of a block at once and decoding writes
// one row per step, through this same function, so both present the network with identical integers.

/** The pad symbol: context positions before the start of a chunk (docs/MODEL.md). */
export const PAD_SYMBOL = 256;

/**
 * Writes rows for positions [start, start + count) of `bytes` into `words` (the Int32 view of an int64 buffer from
 * NetworkSession.allocateContexts), beginning at row `firstRow`. Only the low word of each int64 is written.
 */
export function writeContextRows(
  bytes: Uint8Array,
  start: number,
  count: number,
  k: number,
  words: Int32Array,
  firstRow = 0,
): void {
  let w = 2 * firstRow * k;
  for (let t = start; t < start + count; t++) {
    for (let p = t - k; p < t; p++) {
      words[w] = p < 0 ? PAD_SYMBOL : bytes[p]!;
      w += 2;
    }
  }
}
