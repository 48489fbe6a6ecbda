// 'neural': the bundled integer network predicts each byte, the adaptive predictor (../coder) mixes that with
// what it learns online, and a binary arithmetic coder codes the bits. See docs/MODEL.md for the payload layout.
//
// A chunk is cut into segments that are coded independently, so a decoder can step many segments at once (one
// ORT call per step for all of them) even when an archive holds a single large chunk; each ORT call then does
// real work. Segments cost some compression (each predictor starts cold), so they are as long as the wanted
// parallelism allows.
import type { ModelRef } from '../api.ts';
import { MAX_TABLE_BITS, MIN_TABLE_BITS, tableBitsFor } from '../coder/table-size.ts';
import { isModelRevision, LATEST_REVISION, MODEL_REVISIONS } from '../coder/wasm-coder.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { FrequencyTable } from '../model/frequencies.ts';
import { ModelRegistry, type BundledModel } from '../model/manifest.ts';
import { decodeLanes, encodeSegment, type DecodeLane } from '../model/network-coding.ts';
import { NetworkPool } from '../model/network-pool.ts';
import { NetworkSession } from '../model/network-session.ts';
import { availableParallelism } from 'node:os';
import type { Codec, EncodedChunk } from './codec.ts';

/**
 * First byte of every neural payload; bump when the layout or the coding changes. Versions 3 and 4 share the
 * layout and differ in the adaptive predictor's model revision, which is the version (wasm-coder.ts); both decode.
 */
export const NEURAL_PAYLOAD_VERSION = LATEST_REVISION;
/** Bytes of the model's SHA-256 repeated in each payload, to catch a payload paired with the wrong model. */
const HASH_PREFIX_BYTES = 8;

export interface NeuralCodecOptions {
  /** The model an archive names (decoding); absent: this build's default model (encoding). */
  model?: ModelRef;
  registry?: ModelRegistry;
  /** Target segment length; a chunk is cut into ceil(length / segmentBytes) near-equal segments. */
  segmentBytes?: number;
  /** ORT intra-op threads (results are identical for any count). */
  threads?: number;
  /** Most segments decoded at once; bounds memory (each lane holds a predictor). */
  maxLanes?: number;
  /**
   * Worker threads that code segments, each with its own ORT session (default: one per core, at most 2).
   * 0 codes on the calling thread. Payloads are identical either way.
   */
  workers?: number;
}

export const DEFAULT_SEGMENT_BYTES = 128 * 1024;
const DEFAULT_MAX_LANES = 24;

/** Splits n bytes into `count` segment lengths that differ by at most one, longest first. */
export function segmentLengths(n: number, segmentBytes: number): number[] {
  if (n === 0) return [];
  const count = Math.ceil(n / segmentBytes);
  const base = Math.floor(n / count);
  const extra = n - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}

// --- payload layout -----------------------------------------------------------------------------------------
// version u8 | model sha256 prefix (8 bytes) | tableBits u8 | segment count (varint)
// | per segment: raw length (varint), coded length (varint) | the segments' coder bytes, in order

function writeVarint(out: number[], value: number): void {
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

class PayloadReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw damaged('it ends inside its header');
    return this.bytes[this.pos++]!;
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw damaged('a length in its header is too long');
  }
}

function damaged(why: string): OctozipError {
  return new OctozipError('damaged', `A neural chunk is damaged: ${why}.`);
}

export interface ParsedPayload {
  tableBits: number;
  /** One lane per segment. */
  lanes: DecodeLane[];
}

export function buildPayload(model: BundledModel, tableBits: number, segments: { rawSize: number; coded: Uint8Array }[]): Uint8Array {
  const header: number[] = [NEURAL_PAYLOAD_VERSION];
  const hash = Buffer.from(model.manifest.sha256, 'hex');
  for (let i = 0; i < HASH_PREFIX_BYTES; i++) header.push(hash[i]!);
  header.push(tableBits);
  writeVarint(header, segments.length);
  for (const s of segments) {
    writeVarint(header, s.rawSize);
    writeVarint(header, s.coded.length);
  }
  const total = header.length + segments.reduce((sum, s) => sum + s.coded.length, 0);
  const payload = new Uint8Array(total);
  payload.set(header, 0);
  let pos = header.length;
  for (const s of segments) {
    payload.set(s.coded, pos);
    pos += s.coded.length;
  }
  return payload;
}

/** Reads and checks a payload's header against the recorded chunk size; throws 'damaged' on any inconsistency. */
export function parsePayload(model: BundledModel, payload: Uint8Array, rawSize: number): ParsedPayload {
  const r = new PayloadReader(payload);
  const version = r.byte();
  if (!isModelRevision(version)) {
    throw damaged(`its layout version is ${version}, this build reads versions ${MODEL_REVISIONS.join(' and ')}`);
  }
  const hash = Buffer.from(model.manifest.sha256, 'hex');
  for (let i = 0; i < HASH_PREFIX_BYTES; i++) {
    if (r.byte() !== hash[i]) throw damaged(`it was not made with model ${model.manifest.name}, which the archive names`);
  }
  const tableBits = r.byte();
  if (tableBits < MIN_TABLE_BITS || tableBits > MAX_TABLE_BITS) throw damaged(`its table size 2^${tableBits} is out of range`);
  const count = r.varint();
  // Every segment holds at least one byte, so a count above rawSize is damage (and would waste memory).
  if (count > rawSize) throw damaged(`it claims ${count} segments for ${rawSize} bytes`);
  const sizes: { rawSize: number; codedSize: number }[] = [];
  let rawTotal = 0;
  let codedTotal = 0;
  for (let i = 0; i < count; i++) {
    const segmentRaw = r.varint();
    const codedSize = r.varint();
    if (segmentRaw === 0) throw damaged('it has an empty segment');
    rawTotal += segmentRaw;
    codedTotal += codedSize;
    sizes.push({ rawSize: segmentRaw, codedSize });
  }
  if (rawTotal !== rawSize) throw damaged(`its segments hold ${rawTotal} bytes where ${rawSize} were recorded`);
  if (r.pos + codedTotal !== payload.length) {
    throw damaged(`it is ${payload.length} bytes long where its header says ${r.pos + codedTotal}`);
  }
  const lanes: DecodeLane[] = [];
  let pos = r.pos;
  for (const s of sizes) {
    lanes.push({ coded: payload.subarray(pos, pos + s.codedSize), rawSize: s.rawSize, tableBits, revision: version });
    pos += s.codedSize;
  }
  return { tableBits, lanes };
}

// --- the codec ----------------------------------------------------------------------------------------------

export class NeuralCodec implements Codec {
  readonly id = 'neural' as const;
  readonly models: readonly ModelRef[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly #model: BundledModel;
  /** Where segments are coded: worker threads, or a session on this thread. */
  readonly #coder: { pool: NetworkPool } | { session: NetworkSession };
  readonly #frequencies: FrequencyTable;
  readonly #segmentBytes: number;
  readonly #maxLanes: number;

  constructor(
    model: BundledModel,
    coder: { pool: NetworkPool } | { session: NetworkSession },
    segmentBytes: number,
    maxLanes: number,
  ) {
    this.#model = model;
    this.#coder = coder;
    this.#frequencies = new FrequencyTable(model.manifest);
    this.#segmentBytes = segmentBytes;
    this.#maxLanes = maxLanes;
    this.models = [model.ref];
    // The model is repeated here so that a decoder can find it from the codec's own params; the rest is for
    // the reader's information (each payload carries what decoding needs).
    this.params = {
      payloadVersion: NEURAL_PAYLOAD_VERSION,
      model: model.manifest.name,
      sha256: model.manifest.sha256,
      segmentBytes,
    };
  }

  async encodeBatch(chunks: readonly Uint8Array[], signal?: AbortSignal): Promise<EncodedChunk[]> {
    throwIfAborted(signal);
    // Every segment of every chunk goes to the coder at once, so all workers stay busy even when each chunk is
    // a single segment.
    const plans = chunks.map((chunk) => {
      const lengths = segmentLengths(chunk.length, this.#segmentBytes);
      // Sized for this chunk's segments, not the preset's: a small file needs (and zeroes) a small table.
      // Up to maxLanes predictors live at once while decoding, so each keeps the smaller table of the
      // old sizing rule (at most 2^22 slots, 16 MiB) rather than the cm codec's 64 MiB.
      return { chunk, lengths, tableBits: tableBitsFor(lengths[0] ?? 0, 3, 22) };
    });
    const segments: { bytes: Uint8Array; tableBits: number }[] = [];
    for (const { chunk, lengths, tableBits } of plans) {
      let start = 0;
      for (const len of lengths) {
        segments.push({ bytes: chunk.subarray(start, start + len), tableBits });
        start += len;
      }
    }
    const coder = this.#coder;
    const coded =
      'pool' in coder
        ? await coder.pool.encodeSegments(segments, signal)
        : await mapSequentially(segments, (s) => encodeSegment(coder.session, this.#frequencies, s.bytes, { tableBits: s.tableBits, signal }));
    let next = 0;
    return plans.map(({ lengths, tableBits }) => ({
      payload: buildPayload(
        this.#model,
        tableBits,
        lengths.map((rawSize) => ({ rawSize, coded: coded[next++]! })),
      ),
    }));
  }

  async decodeBatch(
    chunks: readonly { payload: Uint8Array; rawSize: number }[],
    signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    throwIfAborted(signal);
    const parsed = chunks.map((c) => parsePayload(this.#model, c.payload, c.rawSize));
    // All segments of all chunks become lanes, stepped together in waves of at most maxLanes; longest first, so
    // that the lanes of a wave end at about the same step.
    const lanes = parsed.flatMap((p) => p.lanes);
    const order = lanes.map((_, i) => i).sort((a, b) => lanes[b]!.rawSize - lanes[a]!.rawSize || a - b);
    const decoded: Uint8Array[] = new Array(lanes.length);
    const coder = this.#coder;
    for (let i = 0; i < order.length; i += this.#maxLanes) {
      const wave = order.slice(i, i + this.#maxLanes);
      const waveLanes = wave.map((l) => lanes[l]!);
      const out =
        'pool' in coder
          ? await coder.pool.decodeLanes(waveLanes, signal)
          : await decodeLanes(coder.session, this.#frequencies, waveLanes, { signal });
      wave.forEach((l, j) => (decoded[l] = out[j]!));
    }
    let next = 0;
    return parsed.map((p, i) => {
      const out = new Uint8Array(chunks[i]!.rawSize);
      let pos = 0;
      for (let s = 0; s < p.lanes.length; s++) {
        const piece = decoded[next++]!;
        out.set(piece, pos);
        pos += piece.length;
      }
      return out;
    });
  }

  async close(): Promise<void> {
    const coder = this.#coder;
    if ('pool' in coder) await coder.pool.close();
    else await coder.session.close();
  }
}

async function mapSequentially<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await fn(item));
  return results;
}

/** Opens the neural codec: for encoding with this build's default model, for decoding with the model an archive names. */
export async function createNeuralCodec(options: NeuralCodecOptions = {}): Promise<NeuralCodec> {
  const registry = options.registry ?? ModelRegistry.open();
  const model = options.model ? registry.require(options.model) : registry.defaultModel();
  // Checked here, once, so that a wrong model file fails before any work starts (workers check it again).
  await model.verify();
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) throw new RangeError(`invalid segmentBytes ${segmentBytes}`);
  const workers = options.workers ?? Math.min(2, availableParallelism());
  const threads = options.threads ?? 1;
  const coder =
    workers > 0
      ? { pool: new NetworkPool(model, { workers, threads }) }
      : { session: await NetworkSession.open(model, { intraOpNumThreads: threads }) };
  return new NeuralCodec(model, coder, segmentBytes, options.maxLanes ?? DEFAULT_MAX_LANES);
}

/** The model recorded in a neural codec's header params, for decoding. */
export function modelFromParams(params: Readonly<Record<string, unknown>> | undefined): ModelRef | undefined {
  const name = params?.model;
  const sha256 = params?.sha256;
  if (typeof sha256 !== 'string') return undefined;
  return { name: typeof name === 'string' ? name : 'unnamed model', sha256 };
}
