// 'cm': the adaptive context-mixing coder (electron/engine/coder) on its own, without the network.
// Why a codec of its own: it decodes a whole chunk as one stream at over 100 KB/s, while the neural codec needs
// one model call per decoded byte (docs/BENCHMARK.md); so the default preset uses it and 'maximum' adds the
// network.
//
// Text chunks start from a bundled prior (model/prior-store.ts): the statistics of several MB of English, code
// or markup, so a stream does not spend its first tens of kilobytes learning the language. Binary chunks, which
// a prior only misleads, and small ones, for which copying it costs more than coding, start cold. The encoder
// decides; the payload records it.
//
// Payload: version u8 (3) | tableBits u8 | flags u8 | arithmetic-coded bytes. Flags: bit 0 primed; bits 1-3 which
// prior, an index into the list the header's cm params name (`priors`, each by name and SHA-256; index 0 is also
// `prior`, as before packs). A chunk primed with prior 0 is byte-for-byte what older builds wrote, so the layout
// version stays 3; an older build meets a higher index as unknown flags and refuses it. tableBits is stored
// rather than derived from the chunk size, so a later change of the sizing rule cannot break old archives. Any
// change to electron/engine/coder that alters its output must bump PAYLOAD_VERSION (and the neural payload's),
// so an old archive is refused with a clear message instead of decoding to wrong bytes that only the checksums
// catch; build/prior/build-prior.ts fails when the prior no longer matches its manifest, as a reminder.
import type { ModelRef } from '../api.ts';
import { decodeBytes, encodeBytes } from '../coder/cm-stream.ts';
import { MAX_TABLE_BITS, MIN_TABLE_BITS, tableBitsFor } from '../coder/table-size.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { missingModelError } from '../model/manifest.ts';
import { bundledPrior, priorStore, PriorStore, type PriorId } from '../model/prior-store.ts';
import type { Codec } from './codec.ts';

const PAYLOAD_VERSION = 3;
const HEADER_BYTES = 3;
const FLAG_PRIMED = 1;
const PRIOR_INDEX_SHIFT = 1;
/** How many priors one archive's cm params can list (the index has three bits of the flags byte). */
export const MAX_PRIORS = 8;
const PRIOR_INDEX_MASK = (MAX_PRIORS - 1) << PRIOR_INDEX_SHIFT;
/**
 * Below this a chunk codes cold. A primed chunk pays ~8 ms to copy the prior and codes against a 64 MiB table
 * (cache misses) instead of a small one: measured on 400 files of 2-9 KB (1.7 MB of JavaScript and Markdown),
 * priming every file of 1 KiB or more packed them 2.6% smaller but took 18.1 s instead of 8.9 s.
 */
export const PRIMED_MIN_BYTES = 16 * 1024;

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

/**
 * Codes one chunk; with a store, text chunks start from its prior. priorIndex is where that prior stands in the
 * list the archive header names (cm params `priors`); the payload records it.
 */
export function encodeContextMixingChunk(chunk: Uint8Array, prior?: PriorStore | null, priorIndex = 0): Uint8Array {
  if (!Number.isInteger(priorIndex) || priorIndex < 0 || priorIndex >= MAX_PRIORS) {
    throw new RangeError(`prior index ${priorIndex} is outside 0..${MAX_PRIORS - 1}`);
  }
  let coded: Uint8Array;
  let tableBits: number;
  let flags = 0;
  if (prior && shouldPrime(chunk)) {
    const lease = prior.acquire();
    try {
      tableBits = lease.prior.tableBits;
      coded = encodeBytes(chunk, undefined, { tableBits, prior: lease.prior });
      flags = FLAG_PRIMED | (priorIndex << PRIOR_INDEX_SHIFT);
    } finally {
      prior.release(lease);
    }
  } else {
    tableBits = tableBitsFor(chunk.length);
    coded = encodeBytes(chunk, undefined, { tableBits });
  }
  const payload = new Uint8Array(HEADER_BYTES + coded.length);
  payload[0] = PAYLOAD_VERSION;
  payload[1] = tableBits;
  payload[2] = flags;
  payload.set(coded, HEADER_BYTES);
  return payload;
}

/** One entry of the header's prior list as a decoder sees it: the store, or just the ref when this build lacks it. */
export type PriorSlot = PriorStore | ModelRef | null;

/** priors: the header's list (index 0 first); a single store stands for a list of one. */
export function decodeContextMixingChunk(
  payload: Uint8Array,
  rawSize: number,
  priors?: PriorStore | null | readonly PriorSlot[],
): Uint8Array {
  const damaged = (why: string) => new OctozipError('damaged', `A context-mixing chunk is damaged: ${why}.`);
  if (payload.length < HEADER_BYTES) throw damaged('it is shorter than its header');
  if (payload[0] !== PAYLOAD_VERSION) throw damaged(`its layout version is ${payload[0]}, this build reads ${PAYLOAD_VERSION}`);
  const tableBits = payload[1]!;
  const flags = payload[2]!;
  if (tableBits < MIN_TABLE_BITS || tableBits > MAX_TABLE_BITS) throw damaged(`its table size 2^${tableBits} is out of range`);
  if ((flags & ~(FLAG_PRIMED | PRIOR_INDEX_MASK)) !== 0) throw damaged(`it has unknown flags ${flags}`);
  if ((flags & FLAG_PRIMED) === 0 && flags !== 0) throw damaged(`it names a prior (flags ${flags}) but is not primed`);
  if (!Number.isSafeInteger(rawSize) || rawSize < 0) throw damaged(`its recorded size ${rawSize} is invalid`);
  const coded = payload.subarray(HEADER_BYTES);
  // Damaged coded bytes decode to wrong bytes of the right length, never a hang; the engine's checksums catch them.
  if ((flags & FLAG_PRIMED) === 0) return decodeBytes(coded, rawSize, undefined, { tableBits });
  const index = (flags & PRIOR_INDEX_MASK) >> PRIOR_INDEX_SHIFT;
  const slots: readonly PriorSlot[] = Array.isArray(priors) ? priors : [(priors as PriorStore | null | undefined) ?? null];
  const prior = slots[index];
  if (!prior) throw damaged(`it was coded with prior ${index}, which the archive header does not name`);
  if (!(prior instanceof PriorStore)) throw missingModelError(prior);
  if (tableBits !== prior.manifest.tableBits) throw damaged(`its table size 2^${tableBits} does not fit the prior's`);
  const lease = prior.acquire();
  try {
    return decodeBytes(coded, rawSize, undefined, { tableBits, prior: lease.prior });
  } finally {
    prior.release(lease);
  }
}

export interface ContextMixingCodecOptions {
  /** The prior an archive names (decoding): null for none; absent: this build's prior (encoding). */
  prior?: ModelRef | null;
  /** Decoding: every prior the header lists (cm params `priors`), in order; overrides `prior`. */
  priors?: readonly ModelRef[];
  /** Where to find priors (default: the bundled resources). */
  resourcesDir?: string;
  /** Encoding: the bundled priors chunks may start from, in the order the header lists them (default: english). */
  use?: readonly PriorId[];
  /** Encoding: which of `use` a text chunk starts from, as an index into it (default: the first). */
  choosePrior?: (chunk: Uint8Array) => number;
}

function isModelRef(value: unknown): value is ModelRef {
  const ref = value as { name?: unknown; sha256?: unknown } | null | undefined;
  return !!ref && typeof ref.name === 'string' && typeof ref.sha256 === 'string';
}

/** The prior ref recorded in an archive's cm params, if any (params written by this codec). */
export function priorFromParams(params: Readonly<Record<string, unknown>> | undefined): ModelRef | null {
  const prior = params?.prior;
  return isModelRef(prior) ? { name: prior.name, sha256: prior.sha256 } : null;
}

/** Every prior an archive's cm params list (`priors`), or undefined when they list at most one (as before packs). */
export function priorsFromParams(params: Readonly<Record<string, unknown>> | undefined): ModelRef[] | undefined {
  const priors = params?.priors;
  if (!Array.isArray(priors)) return undefined;
  return priors.filter(isModelRef).map((ref) => ({ name: ref.name, sha256: ref.sha256 }));
}

/** The header's prior list as slots: the bundled store for each ref, or the ref itself when this build lacks it. */
function decodingSlots(refs: readonly ModelRef[], dir: string | undefined): PriorSlot[] {
  return refs.map((ref) => bundledPrior(ref.sha256, dir) ?? ref);
}

export function createContextMixingCodec(options: ContextMixingCodecOptions = {}): Codec {
  let slots: PriorSlot[];
  if (options.priors) slots = decodingSlots(options.priors, options.resourcesDir);
  else if (options.prior === null) slots = [];
  else {
    const store = priorStore(options.resourcesDir);
    if (options.prior && options.prior.sha256.toLowerCase() !== store.manifest.sha256) throw missingModelError(options.prior);
    slots = options.prior ? [store] : (options.use ?? ['english']).map((id) => priorStore(options.resourcesDir, id));
  }
  if (slots.length > MAX_PRIORS) throw new RangeError(`a cm codec lists at most ${MAX_PRIORS} priors`);
  const refs = slots.map((slot) => (slot instanceof PriorStore ? slot.ref : (slot as ModelRef)));
  const choose = options.choosePrior ?? (() => 0);
  return {
    id: 'cm',
    models: refs,
    // `priors` only when there is a choice, so an english-only archive's header reads as before packs.
    params: { payloadVersion: PAYLOAD_VERSION, prior: refs[0] ?? null, ...(refs.length > 1 ? { priors: refs } : {}) },
    async encodeBatch(chunks, signal) {
      const out = [];
      for (const chunk of chunks) {
        // Yield before each chunk: lets codecs started beside this one (brotli, on the thread pool) begin first,
        // and progress events and cancellation through between chunks.
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal);
        const index = slots.length > 1 ? choose(chunk) : 0;
        const slot = slots.length > 0 ? slots[index] : null;
        if (slot !== null && !(slot instanceof PriorStore)) throw new RangeError(`choosePrior gave ${index}, not a bundled prior`);
        out.push({ payload: encodeContextMixingChunk(chunk, slot, index) });
      }
      return out;
    },
    async decodeBatch(chunks, signal) {
      const out = [];
      for (const { payload, rawSize } of chunks) {
        throwIfAborted(signal);
        out.push(decodeContextMixingChunk(payload, rawSize, slots));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
  };
}
