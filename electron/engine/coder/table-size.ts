// How big a predictor's hashed-context table should be for a stream of a given length: enough slots for its
// contexts and no more. Fresh memory costs real time here (about 22 us per 4 KiB page on first touch), so a
// 3 KB file must not pay for a 16 MiB table.
export const MIN_TABLE_BITS = 16;
export const MAX_TABLE_BITS = 22;

export function tableBitsFor(streamBytes: number): number {
  const bits = Math.ceil(Math.log2(Math.max(1, streamBytes))) + 3;
  return Math.min(MAX_TABLE_BITS, Math.max(MIN_TABLE_BITS, bits));
}
