// How chunks are grouped for codec calls, on create and on decode alike.
const MiB = 1024 * 1024;

/** A batch holds at most this many chunks and raw bytes: enough lanes for the neural codec, bounded memory. */
export const BATCH_MAX_CHUNKS = 16;
export const BATCH_MAX_BYTES = 16 * MiB;
