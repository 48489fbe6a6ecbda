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
 * From model revision 8 a cm stream of LARGE_TABLE_MIN_BYTES or more gets a table twice that: 128 MiB, with a
 * match table of 32 MiB. A prior of 2^24 slots fills the larger table (coder/assembly/context-table.ts,
 * spreadPriorTable), and a block's new statistics then evict far fewer of the prior's. Measured on own text with
 * the code prior: 4 MB of LLVM headers 0.9% smaller, 700 KB of held-out code 0.4%; cold, 24 MB of JavaScript and
 * headers 1.2%. It costs about 10% of the coding speed (cache and TLB misses: 2 MB of those headers, median of 5,
 * encode 290 -> 264 KB/s, decode 277 -> 237 KB/s).
 */
export const LARGE_TABLE_BITS = 25;
/**
 * The larger table's fresh memory and the prior's spread cost a short stream up to a second here: lcet10.txt
 * (426 KB) through the CLI took 2.52 s to create at 2^25 in one bench, 1.57 s at 2^24 in the bench before and
 * 2.09 s at 2^24 in the one after (the machine's speed drifts that much). Only a long stream repays that: at
 * 4 MiB it is a few percent of the coding time, for about 1% of the size. From 2 MiB it paid less: 3 MB of own
 * JavaScript through the CLI came out 0.86% smaller for about 10% more time and 80 MiB more peak RSS, and the
 * curl tree (two blocks of 2.8 and 3.5 MB that the rule moves) 0.36% smaller (1,715,200 -> 1,709,056 bytes) for
 * 11% more wall time on two threads (`octozip create --threads 2`, the two rules alternating twice: 44.8 / 41.9 s
 * against 49.6 / 47.1 s) and 85 MiB more peak RSS: the two larger tables coding at once slow each other.
 */
export const LARGE_TABLE_MIN_BYTES = 4 * 1024 * 1024;

/** slotBitsPerByte: log2 of table slots per stream byte; maxBits caps it (the neural codec keeps many tables at once). */
export function tableBitsFor(streamBytes: number, slotBitsPerByte = 6, maxBits = MAX_TABLE_BITS): number {
  const bits = Math.ceil(Math.log2(Math.max(1, streamBytes))) + slotBitsPerByte;
  return Math.min(maxBits, Math.max(MIN_TABLE_BITS, bits));
}

/**
 * A revision-8 cm stream's table: tableBitsFor's, or LARGE_TABLE_BITS from LARGE_TABLE_MIN_BYTES on; a primed
 * stream's is never smaller than its prior's.
 */
export function contextMixingTableBits(streamBytes: number, priorBits?: number): number {
  const bits = streamBytes >= LARGE_TABLE_MIN_BYTES ? LARGE_TABLE_BITS : tableBitsFor(streamBytes);
  return priorBits === undefined ? bits : Math.max(priorBits, bits);
}
