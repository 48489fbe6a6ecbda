// 'cm': the adaptive context-mixing coder (electron/engine/coder) on its own, without the network.
// Why a codec of its own: it decodes a whole chunk as one stream, fast (WebAssembly), while the neural codec needs
// one model call per decoded byte (docs/BENCHMARK.md); so the default preset uses it and 'maximum' adds the
// network.
//
// Text chunks start from the bundled prior (model/prior-store.ts): the statistics of ~8.5 MB of English, so a
// stream does not spend its first tens of kilobytes learning the language. Binary chunks, which the prior
// only misleads, and small ones, for which copying it costs more than coding, start cold. The encoder decides;
// the payload records it.
//
// Payload: version u8 (3) | tableBits u8 | flags u8 (bit 0: primed) | arithmetic-coded bytes. tableBits is stored
// rather than derived from the chunk size, so a later change of the sizing rule cannot break old archives. Any
// change to electron/engine/coder (its WebAssembly in coder/assembly, mirrored by the reference coder in
// test/coder/oracle) that alters its output must bump PAYLOAD_VERSION (and the neural payload's),
// so an old archive is refused with a clear message instead of decoding to wrong bytes that only the checksums
// catch; build/prior/build-prior.ts fails when the prior no longer matches its manifest, as a reminder.
import type { ModelRef } from '../api.ts';
import { decodeBytes, encodeBytes, type CodingProgress } from '../coder/cm-stream.ts';
import { MAX_TABLE_BITS, MIN_TABLE_BITS, tableBitsFor } from '../coder/table-size.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { missingModelError } from '../model/manifest.ts';
import { priorStore, type PriorStore } from '../model/prior-store.ts';
import { ContextMixingPool } from './cm-pool.ts';
import type { PriorChoice } from './cm-worker.ts';
import type { BatchProgress, Codec } from './codec.ts';

const PAYLOAD_VERSION = 3;
const HEADER_BYTES = 3;
const FLAG_PRIMED = 1;
/**
 * Below this a block codes cold. Priming costs a copy of the prior (~8 ms measured with the TypeScript coder) and codes against a 64 MiB table
 * (cache misses): per file (format 1) that doubled the time of 400 small files for 2.6%. With solid blocks it is paid
 * once per block, so every text block but a tiny one starts primed: one 8 KB English text codes to 1,834 bytes
 * primed, where brotli (which beat the cold mixer) gave 2,482.
 */
export const PRIMED_MIN_BYTES = 1024;

/** Text as far as the prior is concerned: almost no control bytes (tab, CR, LF, FF and ESC are text). */
export function looksLikeText(chunk: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i]!;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 27) || c === 127) control++;
  }
  return control * 100 <= chunk.length;
}

export function shouldPrime(chunk: Uint8Array): boolean {
  return chunk.length >= PRIMED_MIN_BYTES && looksLikeText(chunk);
}

/** Codes one chunk; with a store, text chunks start from its prior. */
export function encodeContextMixingChunk(chunk: Uint8Array, prior?: PriorStore | null, onProgress?: CodingProgress): Uint8Array {
  let coded: Uint8Array;
  let tableBits: number;
  let flags = 0;
  if (prior && shouldPrime(chunk)) {
    tableBits = prior.manifest.tableBits;
    coded = encodeBytes(chunk, undefined, { tableBits, loadPrior: (target) => prior.loadInto(target) }, onProgress);
    flags = FLAG_PRIMED;
  } else {
    tableBits = tableBitsFor(chunk.length);
    coded = encodeBytes(chunk, undefined, { tableBits }, onProgress);
  }
  const payload = new Uint8Array(HEADER_BYTES + coded.length);
  payload[0] = PAYLOAD_VERSION;
  payload[1] = tableBits;
  payload[2] = flags;
  payload.set(coded, HEADER_BYTES);
  return payload;
}

/**
 * Decodes a chunk of rawSize bytes, or only its first `length` bytes (0 <= length <= rawSize): decoding is
 * sequential, so a prefix costs only its own bytes (extracting one file from the start of a solid block).
 */
export function decodeContextMixingChunk(
  payload: Uint8Array,
  rawSize: number,
  prior?: PriorStore | null,
  length: number = rawSize,
  onProgress?: CodingProgress,
): Uint8Array {
  const damaged = (why: string) => new OctozipError('damaged', `A context-mixing chunk is damaged: ${why}.`);
  if (payload.length < HEADER_BYTES) throw damaged('it is shorter than its header');
  if (payload[0] !== PAYLOAD_VERSION) throw damaged(`its layout version is ${payload[0]}, this build reads ${PAYLOAD_VERSION}`);
  const tableBits = payload[1]!;
  const flags = payload[2]!;
  if (tableBits < MIN_TABLE_BITS || tableBits > MAX_TABLE_BITS) throw damaged(`its table size 2^${tableBits} is out of range`);
  if ((flags & ~FLAG_PRIMED) !== 0) throw damaged(`it has unknown flags ${flags}`);
  if (!Number.isSafeInteger(rawSize) || rawSize < 0) throw damaged(`its recorded size ${rawSize} is invalid`);
  if (!Number.isSafeInteger(length) || length < 0 || length > rawSize) throw new RangeError(`cannot decode ${length} of a chunk's ${rawSize} bytes`);
  const coded = payload.subarray(HEADER_BYTES);
  // Damaged coded bytes decode to wrong bytes of the right length, never a hang; the engine's checksums catch them.
  if ((flags & FLAG_PRIMED) === 0) return decodeBytes(coded, length, undefined, { tableBits }, onProgress);
  if (!prior) throw damaged('it was coded with a prior that the archive header does not name');
  if (tableBits !== prior.manifest.tableBits) throw damaged(`its table size 2^${tableBits} does not fit the prior's`);
  return decodeBytes(coded, length, undefined, { tableBits, loadPrior: (target) => prior.loadInto(target) }, onProgress);
}

export interface ContextMixingCodecOptions {
  /** The prior an archive names (decoding): null for none; absent: this build's prior (encoding). */
  prior?: ModelRef | null;
  /** Where to find priors (default: the bundled resources). */
  resourcesDir?: string;
  /** Worker threads to code blocks on (blocks of one batch, or of concurrent calls, run in parallel); 1: this thread. */
  threads?: number;
}

/** The prior ref recorded in an archive's cm params, if any (params written by this codec). */
export function priorFromParams(params: Readonly<Record<string, unknown>> | undefined): ModelRef | null {
  const prior = params?.prior as { name?: unknown; sha256?: unknown } | null | undefined;
  if (prior && typeof prior.name === 'string' && typeof prior.sha256 === 'string') return { name: prior.name, sha256: prior.sha256 };
  return null;
}

/** Per-block progress callbacks that add up to the batch's bytes coded so far. */
function batchProgress(count: number, onProgress: BatchProgress | undefined): ((index: number) => (bytesDone: number) => void) | null {
  if (!onProgress) return null;
  const done = new Array<number>(count).fill(0);
  let total = 0;
  return (index) => (bytesDone) => {
    total += bytesDone - done[index]!;
    done[index] = bytesDone;
    onProgress(total);
  };
}

export function createContextMixingCodec(options: ContextMixingCodecOptions = {}): Codec {
  let store: PriorStore | null;
  if (options.prior === null) store = null;
  else {
    store = priorStore(options.resourcesDir);
    if (options.prior && options.prior.sha256.toLowerCase() !== store.manifest.sha256) throw missingModelError(options.prior);
  }
  const pool = (options.threads ?? 1) > 1 ? new ContextMixingPool(options.threads!) : null;
  const prior: PriorChoice = store ? { use: true, resourcesDir: options.resourcesDir } : { use: false };
  return {
    id: 'cm',
    models: store ? [store.ref] : [],
    params: { payloadVersion: PAYLOAD_VERSION, prior: store ? store.ref : null },
    async close() {
      await pool?.close();
    },
    async encodeBatch(chunks, signal, onProgress) {
      const progress = batchProgress(chunks.length, onProgress);
      if (pool) {
        // Copies that can be transferred: posting a view would clone its whole underlying buffer.
        return Promise.all(
          chunks.map(async (chunk, i) => {
            const raw = new Uint8Array(chunk);
            return { payload: await pool.run({ kind: 'encode', raw, prior }, [raw.buffer], signal, progress?.(i)) };
          }),
        );
      }
      const out = [];
      for (const [i, chunk] of chunks.entries()) {
        // Yield before each chunk: lets codecs started beside this one (brotli, on the thread pool) begin first,
        // and progress events and cancellation through between chunks.
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal);
        out.push({ payload: encodeContextMixingChunk(chunk, store, progress?.(i)) });
      }
      return out;
    },
    async decodeBatch(chunks, signal, onProgress) {
      const progress = batchProgress(chunks.length, onProgress);
      if (pool) {
        return Promise.all(
          chunks.map(({ payload, rawSize, prefix }, i) => {
            const copy = new Uint8Array(payload);
            return pool.run({ kind: 'decode', payload: copy, rawSize, prefix: prefix ?? rawSize, prior }, [copy.buffer], signal, progress?.(i));
          }),
        );
      }
      const out = [];
      for (const [i, { payload, rawSize, prefix }] of chunks.entries()) {
        throwIfAborted(signal);
        out.push(decodeContextMixingChunk(payload, rawSize, store, prefix, progress?.(i)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
  };
}
