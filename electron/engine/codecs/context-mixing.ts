// 'cm': the adaptive context-mixing coder (electron/engine/coder) on its own, without the network.
// Why a codec of its own: it decodes a whole block as one stream, fast (WebAssembly), while the neural codec needs
// one model call per decoded byte (docs/BENCHMARK.md); so the default preset uses it and 'maximum' adds the
// network.
//
// Text blocks start from a bundled prior (model/prior-store.ts): the statistics of several MB of English, code
// or markup, so a stream does not spend its first tens of kilobytes learning the language. The block's kind names
// the prior to try; it competes with the English one on the block's first bytes and the smaller wins (build/prior/
// README.md: each kind's prior wins on held-out text of its kind, but not on every file); a long prose block tries
// every bundled prior (PROBE_EVERY_PRIOR_MIN_BYTES). Binary blocks, which a
// prior only misleads, and tiny ones start cold. The encoder decides; the payload records it.
//
// Payload: version u8 (3 to 10) | tableBits u8 | flags u8 | arithmetic-coded bytes. The version is the model
// revision the bytes were coded with (coder/wasm-coder.ts): new payloads are LATEST_REVISION, and the earlier
// ones (written before) still decode, all with the same priors (they are learned with revision 3). Flags: bit 0 primed; bits 1-3 which
// prior, an index into the list the header's cm params name (`priors`, each by name and SHA-256; index 0 is also
// `prior`, as before packs). Packs kept version 3, since a chunk primed with prior 0 was byte-for-byte what
// older builds wrote; an older build meets a higher index as unknown flags and refuses it. tableBits is stored
// rather than derived from the chunk size, so a later change of the sizing rule cannot break old archives: up to
// revision 7 it is 16..24, and a primed stream's equals its prior's; from revision 8 it may reach 25, and a prior
// fills a table at least its size (a larger one is spread, coder/table-size.ts). Any
// change to electron/engine/coder (its WebAssembly in coder/assembly, mirrored by the reference coder in
// test/coder/oracle) that alters its output must be a new model revision, so that every payload decodes with
// the model that coded it; build/prior/build-prior.ts fails when a prior no longer matches its manifest, as a
// reminder that revision PRIOR_REVISION must stay as it is.
import type { ModelRef } from '../api.ts';
import { decodeBytes, encodeBytes, type CodingProgress } from '../coder/cm-stream.ts';
import { contextMixingTableBits, LARGE_TABLE_BITS, MAX_TABLE_BITS, MIN_TABLE_BITS } from '../coder/table-size.ts';
import { isModelRevision, LARGER_TABLE_REVISION, LATEST_REVISION, MODEL_REVISIONS, priorFitsTable, WasmPredictor, type ModelRevision } from '../coder/wasm-coder.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { missingModelError } from '../model/manifest.ts';
import { bundledPrior, PRIOR_IDS, priorStore, PriorStore, type PriorId } from '../model/prior-store.ts';
import { ContextMixingPool } from './cm-pool.ts';
import type { PriorChoice } from './cm-worker.ts';
import type { BatchProgress, Codec, EncodeHints } from './codec.ts';

const PAYLOAD_VERSION = LATEST_REVISION;
const HEADER_BYTES = 3;
const FLAG_PRIMED = 1;
const PRIOR_INDEX_SHIFT = 1;
/** How many priors one archive's cm params can list (the index has three bits of the flags byte). */
export const MAX_PRIORS = 8;
const PRIOR_INDEX_MASK = (MAX_PRIORS - 1) << PRIOR_INDEX_SHIFT;
/**
 * Below this a block codes cold. Priming costs a copy of the prior (~8 ms measured with the TypeScript coder) and
 * codes against a 64 MiB table (cache misses): per file (format 1) that doubled the time of 400 small files for
 * 2.6%. With solid blocks it is paid once per block, so every text block but a tiny one starts primed: one 8 KB
 * English text codes to 1,834 bytes primed, where brotli (which beat the cold mixer) gave 2,482.
 */
export const PRIMED_MIN_BYTES = 1024;
/**
 * When two priors could suit a block, each codes this many of its first bytes and the smaller wins: a probe costs
 * under 1% of an 8 MiB block's coding time.
 */
export const PRIOR_PROBE_BYTES = 64 * 1024;
/**
 * A prose block (text whose file names say nothing of its kind: scripts without an extension, test data, README
 * files) this long or longer probes every bundled prior, not only the English one: on own text, 2 MB of
 * extensionless scripts from /usr/bin coded 0.74% smaller from the code prior than from the English one
 * (286,459 against 288,583 bytes). Each more probe loads another prior (85 MB, about 0.3 s the first time in a
 * process) and codes 64 KiB (about 0.2 s): for every text block that cost more than it won (lcet10.txt's create
 * took 2.56 s with it and 2.09 s without, in two benches a quarter of an hour apart), so only blocks long enough
 * to repay it pay it.
 */
export const PROBE_EVERY_PRIOR_MIN_BYTES = 1024 * 1024;

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
export function encodeContextMixingChunk(chunk: Uint8Array, prior?: PriorStore | null, priorIndex = 0, onProgress?: CodingProgress): Uint8Array {
  if (!Number.isInteger(priorIndex) || priorIndex < 0 || priorIndex >= MAX_PRIORS) {
    throw new RangeError(`prior index ${priorIndex} is outside 0..${MAX_PRIORS - 1}`);
  }
  if (prior && shouldPrime(chunk)) {
    const tableBits = primedTableBits(chunk.length, prior);
    return primedPayload(encodeBytes(chunk, undefined, { tableBits, loadPrior: (target) => prior.loadInto(target) }, onProgress), tableBits, priorIndex);
  }
  const tableBits = contextMixingTableBits(chunk.length);
  return payloadOf(encodeBytes(chunk, undefined, { tableBits }, onProgress), tableBits, 0);
}

function primedTableBits(chunkBytes: number, prior: PriorStore): number {
  return contextMixingTableBits(chunkBytes, prior.manifest.tableBits);
}

/** Whether a payload of this revision may have this table, from its prior's (null: cold). */
function tableFits(revision: ModelRevision, tableBits: number, priorBits: number | null): boolean {
  if (tableBits < MIN_TABLE_BITS || tableBits > (revision >= LARGER_TABLE_REVISION ? LARGE_TABLE_BITS : MAX_TABLE_BITS)) return false;
  return priorBits === null || priorFitsTable(priorBits, tableBits, revision);
}

function payloadOf(coded: Uint8Array, tableBits: number, flags: number): Uint8Array {
  const payload = new Uint8Array(HEADER_BYTES + coded.length);
  payload[0] = PAYLOAD_VERSION;
  payload[1] = tableBits;
  payload[2] = flags;
  payload.set(coded, HEADER_BYTES);
  return payload;
}

function primedPayload(coded: Uint8Array, tableBits: number, priorIndex: number): Uint8Array {
  return payloadOf(coded, tableBits, FLAG_PRIMED | (priorIndex << PRIOR_INDEX_SHIFT));
}

/** A prior a block may start from, with its place in the header's list. */
export interface PriorCandidate {
  store: PriorStore;
  index: number;
}

/**
 * Codes one block from the best of the candidate priors: with more than one (and a text block), each codes the
 * first PRIOR_PROBE_BYTES and the smallest result (the first listed, on a tie) picks the prior for the whole
 * block. Deterministic: the same bytes and candidates give the same payload on any machine.
 *
 * The candidates are tried last to first, and the last one tried (the first listed: the block kind's own prior,
 * which usually wins) is kept to code the rest of the block, so the winner's prior is not loaded, nor its first
 * bytes coded, twice. The payload is the one that coding the whole block from the winner gives.
 */
export function encodeContextMixingBlock(chunk: Uint8Array, candidates: readonly PriorCandidate[], onProgress?: CodingProgress): Uint8Array {
  const probeEnd = Math.min(chunk.length, PRIOR_PROBE_BYTES);
  // A probe that would code cold ties every candidate, so the first listed wins without one.
  if (candidates.length < 2 || !shouldPrime(chunk) || !shouldPrime(chunk.subarray(0, probeEnd))) {
    return encodeContextMixingChunk(chunk, candidates[0]?.store ?? null, candidates[0]?.index ?? 0, onProgress);
  }
  let best = candidates[0]!;
  let bestSize = Infinity;
  let encoder: WasmPredictor | null = null;
  try {
    for (let i = candidates.length - 1; i >= 0; i--) {
      encoder?.release();
      encoder = primedEncoder(chunk.length, candidates[i]!.store);
      encoder.beginEncode(chunk);
      encoder.encodeTo(probeEnd);
      const size = encoder.encodedLength();
      if (size <= bestSize) [best, bestSize] = [candidates[i]!, size];
    }
    // The encoder left is the first listed candidate's, probed last: it codes on if it won.
    if (best !== candidates[0]) {
      encoder!.release();
      return encodeContextMixingChunk(chunk, best.store, best.index, onProgress);
    }
    encoder!.encodeTo(chunk.length, onProgress);
    return primedPayload(encoder!.endEncode(), primedTableBits(chunk.length, best.store), best.index);
  } finally {
    encoder?.release();
  }
}

function primedEncoder(chunkBytes: number, store: PriorStore): WasmPredictor {
  return new WasmPredictor({ tableBits: primedTableBits(chunkBytes, store), loadPrior: (target) => store.loadInto(target) });
}

/** One entry of the header's prior list as a decoder sees it: the store, or just the ref when this build lacks it. */
export type PriorSlot = PriorStore | ModelRef | null;

/** The header prior a payload needs (its index), or null for a cold one; throws 'damaged' on a bad header byte. */
export function priorIndexOf(payload: Uint8Array): number | null {
  const flags = payload[2] ?? 0;
  return (flags & FLAG_PRIMED) === 0 ? null : (flags & PRIOR_INDEX_MASK) >> PRIOR_INDEX_SHIFT;
}

/**
 * Decodes a chunk of rawSize bytes, or only its first `length` bytes (0 <= length <= rawSize): decoding is
 * sequential, so a prefix costs only its own bytes (extracting one file from the start of a solid block).
 * priors: the header's list (index 0 first); a single store stands for a list of one.
 */
export function decodeContextMixingChunk(
  payload: Uint8Array,
  rawSize: number,
  priors?: PriorStore | null | readonly PriorSlot[],
  length: number = rawSize,
  onProgress?: CodingProgress,
): Uint8Array {
  const damaged = (why: string) => new OctozipError('damaged', `A context-mixing block is damaged: ${why}.`);
  if (payload.length < HEADER_BYTES) throw damaged('it is shorter than its header');
  const revision = payload[0]!;
  if (!isModelRevision(revision)) throw damaged(`its layout version is ${revision}, this build reads ${MODEL_REVISIONS.join(' and ')}`);
  const tableBits = payload[1]!;
  const flags = payload[2]!;
  if (!tableFits(revision, tableBits, null)) throw damaged(`its table size 2^${tableBits} is out of range`);
  if ((flags & ~(FLAG_PRIMED | PRIOR_INDEX_MASK)) !== 0) throw damaged(`it has unknown flags ${flags}`);
  if ((flags & FLAG_PRIMED) === 0 && flags !== 0) throw damaged(`it names a prior (flags ${flags}) but is not primed`);
  if (!Number.isSafeInteger(rawSize) || rawSize < 0) throw damaged(`its recorded size ${rawSize} is invalid`);
  if (!Number.isSafeInteger(length) || length < 0 || length > rawSize) throw new RangeError(`cannot decode ${length} of a block's ${rawSize} bytes`);
  const coded = payload.subarray(HEADER_BYTES);
  // Damaged coded bytes decode to wrong bytes of the right length, never a hang; the engine's checksums catch them.
  if ((flags & FLAG_PRIMED) === 0) return decodeBytes(coded, length, undefined, { tableBits, revision }, onProgress);
  const index = (flags & PRIOR_INDEX_MASK) >> PRIOR_INDEX_SHIFT;
  const slots: readonly PriorSlot[] = Array.isArray(priors) ? priors : [(priors as PriorStore | null | undefined) ?? null];
  const prior = slots[index];
  if (!prior) throw damaged(`it was coded with prior ${index}, which the archive header does not name`);
  if (!(prior instanceof PriorStore)) throw missingModelError(prior);
  if (!tableFits(revision, tableBits, prior.manifest.tableBits)) throw damaged(`its table size 2^${tableBits} does not fit the prior's`);
  return decodeBytes(coded, length, undefined, { tableBits, revision, loadPrior: (target) => prior.loadInto(target) }, onProgress);
}

export interface ContextMixingCodecOptions {
  /** The prior an archive names (decoding): null for none; absent: this build's priors (encoding). */
  prior?: ModelRef | null;
  /** Decoding: every prior the header lists (cm params `priors`), in order; overrides `prior`. */
  priors?: readonly ModelRef[];
  /** Where to find priors (default: the bundled resources). */
  resourcesDir?: string;
  /** Encoding: the bundled priors blocks may start from, in the order the header lists them (default: every one this build has, English first). */
  use?: readonly PriorId[];
  /** Worker threads to code blocks on (blocks of one batch, or of concurrent calls, run in parallel); 0: this thread. */
  threads?: number;
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

/** The priors this build has, English first (it is required; a missing pack prior only narrows the choice). */
function bundledPriorIds(dir: string | undefined): PriorId[] {
  return PRIOR_IDS.filter((id) => {
    if (id === 'english') return true;
    try {
      priorStore(dir, id);
      return true;
    } catch {
      return false;
    }
  });
}

/** The prior a block of this kind (a file kind, jobs/file-kinds.ts) tries first. */
export function priorForKind(kind: string | undefined): PriorId {
  return kind === 'code' ? 'code' : kind === 'markup' ? 'markup' : 'english';
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
  let slots: PriorSlot[];
  if (options.priors) slots = decodingSlots(options.priors, options.resourcesDir);
  else if (options.prior === null) slots = [];
  else {
    const store = priorStore(options.resourcesDir);
    if (options.prior && options.prior.sha256.toLowerCase() !== store.manifest.sha256) throw missingModelError(options.prior);
    slots = options.prior ? [store] : (options.use ?? bundledPriorIds(options.resourcesDir)).map((id) => priorStore(options.resourcesDir, id));
  }
  if (slots.length > MAX_PRIORS) throw new RangeError(`a cm codec lists at most ${MAX_PRIORS} priors`);
  const refs = slots.map((slot) => (slot instanceof PriorStore ? slot.ref : (slot as ModelRef)));
  const stores = slots.map((slot) => (slot instanceof PriorStore ? slot : null));
  /**
   * The candidates for a block: its kind's prior, then the English one (index 0 when listed), bundled ones only;
   * a prose block of PROBE_EVERY_PRIOR_MIN_BYTES or more tries every other bundled prior too (see there).
   */
  const candidatesFor = (hints: EncodeHints | undefined, bytes: number): number[] => {
    const probeAll = hints?.kind === 'prose' && bytes >= PROBE_EVERY_PRIOR_MIN_BYTES;
    const wanted = [priorForKind(hints?.kind), 'english', ...(probeAll ? PRIOR_IDS : [])];
    const found = wanted.map((id) => stores.findIndex((s) => s?.id === id)).filter((i) => i >= 0);
    return [...new Set(found.length > 0 ? found : stores.flatMap((s, i) => (s ? [i] : [])).slice(0, 1))];
  };
  const pool = (options.threads ?? 0) > 0 ? new ContextMixingPool(options.threads!) : null;
  const poolPriors: PriorChoice = { resourcesDir: options.resourcesDir, ids: stores.map((s) => s?.id ?? null) };
  /** A decoder needs the prior a payload names to be bundled: said here, with the archive's name for it. */
  const checkPrior = (payload: Uint8Array) => {
    const index = priorIndexOf(payload);
    const slot = index === null ? undefined : slots[index];
    if (slot && !(slot instanceof PriorStore)) throw missingModelError(slot);
  };
  return {
    id: 'cm',
    models: refs,
    // `priors` only when there is a choice, so an english-only archive's header reads as before packs.
    params: { payloadVersion: PAYLOAD_VERSION, prior: refs[0] ?? null, ...(refs.length > 1 ? { priors: refs } : {}) },
    async close() {
      await pool?.close();
    },
    async encodeBatch(chunks, signal, onProgress, hints) {
      const progress = batchProgress(chunks.length, onProgress);
      if (pool) {
        // Copies that can be transferred: posting a view would clone its whole underlying buffer.
        return Promise.all(
          chunks.map(async (chunk, i) => {
            const raw = new Uint8Array(chunk);
            const candidates = candidatesFor(hints, chunk.length);
            return { payload: await pool.run({ kind: 'encode', raw, priors: poolPriors, candidates }, [raw.buffer], signal, progress?.(i)) };
          }),
        );
      }
      const out = [];
      for (const [i, chunk] of chunks.entries()) {
        // Yield before each chunk: lets codecs started beside this one (brotli, on the thread pool) begin first,
        // and progress events and cancellation through between chunks.
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal);
        const candidates = candidatesFor(hints, chunk.length).map((index) => ({ store: stores[index]!, index }));
        const payload = encodeContextMixingBlock(chunk, candidates, progress?.(i));
        out.push({ payload });
      }
      return out;
    },
    async decodeBatch(chunks, signal, onProgress) {
      const progress = batchProgress(chunks.length, onProgress);
      for (const { payload } of chunks) checkPrior(payload);
      if (pool) {
        return Promise.all(
          chunks.map(({ payload, rawSize, prefix }, i) => {
            const copy = new Uint8Array(payload);
            return pool.run({ kind: 'decode', payload: copy, rawSize, prefix: prefix ?? rawSize, priors: poolPriors }, [copy.buffer], signal, progress?.(i));
          }),
        );
      }
      const out = [];
      for (const [i, { payload, rawSize, prefix }] of chunks.entries()) {
        throwIfAborted(signal);
        out.push(decodeContextMixingChunk(payload, rawSize, slots, prefix, progress?.(i)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
  };
}
