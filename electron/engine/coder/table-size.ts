// How big a predictor's hashed-context table should be for a stream of a given length: enough slots for its
// contexts and no more. Fresh memory costs real time here (about 13-22 us per 4 KiB page on first touch), so a
// 3 KB file must not pay for a 64 MiB table.
//
// Each byte can open a 16-slot bucket per context and nibble (a dozen contexts), so a table needs far more
// slots than the stream has bytes before collisions stop evicting useful statistics: measured on the benchmark
// texts (152-482 KB), 2^(log2 n + 3) slots cost 0.04-0.15 bits per byte against 2^(log2 n + 6), and going past
// 2^24 gained under 0.006.
export const MIN_TABLE_BITS = 16;
/** The cap before model revision 8, and the bundled priors' size. */
export const MAX_TABLE_BITS = 24;
/**
 * From model revision 8 a cm stream's table may be twice that: 128 MiB, with a match table of 32 MiB. A prior of
 * 2^24 slots fills the larger table (coder/assembly/context-table.ts, spreadPriorTable), and the new statistics
 * of a block then evict far fewer of the prior's. Measured on own text with the code prior: 4 MB of LLVM
 * headers 0.9% smaller, 700 KB of held-out code 0.4% smaller, and cold, 24 MB of JavaScript and headers 1.2%
 * smaller.
 */
export const LARGE_TABLE_BITS = 25;

/** slotBitsPerByte: log2 of table slots per stream byte; maxBits caps it (the neural codec keeps many tables at once). */
export function tableBitsFor(streamBytes: number, slotBitsPerByte = 6, maxBits = MAX_TABLE_BITS): number {
  const bits = Math.ceil(Math.log2(Math.max(1, streamBytes))) + slotBitsPerByte;
  return Math.min(maxBits, Math.max(MIN_TABLE_BITS, bits));
}
