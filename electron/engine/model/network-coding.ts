// Codes byte segments with the network's frequencies feeding the adaptive predictor (electron/engine/coder).
// Encoding scores every position of a segment up front in blocks of rows (the whole context is known) and codes
// them in order; decoding runs many segments as lanes in lockstep, one ORT call per step for every active lane,
// because each byte's context needs the bytes just decoded. Both paths build rows with writeContextRows and map
// logits with FrequencyTable, so the coder sees identical integers.
import { WasmPredictor, type ModelRevision } from '../coder/wasm-coder.ts';
import { throwIfAborted } from '../errors.ts';
import { writeContextRows } from './contexts.ts';
import type { FrequencyTable } from './frequencies.ts';
import { NetworkSession } from './network-session.ts';

/** What scores rows of contexts: a NetworkSession, or anything with its shape. */
export interface ContextScorer {
  readonly context: number;
  score(contexts: BigInt64Array, rows: number): Promise<Int32Array>;
}

export interface EncodeOptions {
  /** log2 of the predictor's hashed-context table (see PredictorOptions.tableBits). */
  tableBits: number;
  /** Rows per ORT call when encoding: big enough that each call does real work. */
  rowsPerCall?: number;
  signal?: AbortSignal;
}

export interface DecodeOptions {
  signal?: AbortSignal;
}

const DEFAULT_ROWS_PER_CALL = 4096;

/**
 * Encodes one segment; returns the coder's bytes. (onnxruntime-node runs a session synchronously on the calling
 * thread, so scoring and coding cannot overlap here; NetworkPool uses worker threads for that.)
 */
export async function encodeSegment(
  scorer: ContextScorer,
  frequencies: FrequencyTable,
  segment: Uint8Array,
  options: EncodeOptions,
): Promise<Uint8Array> {
  const k = scorer.context;
  const rowsPerCall = Math.max(1, Math.min(options.rowsPerCall ?? DEFAULT_ROWS_PER_CALL, segment.length || 1));
  const { int64, words } = NetworkSession.allocateContexts(rowsPerCall, k);
  const predictor = new WasmPredictor({ tableBits: options.tableBits });
  try {
    const freq = new Int32Array(256);
    predictor.startEncode();
    for (let start = 0; start < segment.length; start += rowsPerCall) {
      throwIfAborted(options.signal);
      const rows = Math.min(rowsPerCall, segment.length - start);
      writeContextRows(segment, start, rows, k, words);
      const logits = await scorer.score(int64, rows);
      for (let r = 0; r < rows; r++) predictor.encodeByte(segment[start + r]!, frequencies.fill(logits, r * 256, freq));
    }
    return predictor.finishEncode();
  } finally {
    predictor.release();
  }
}

export interface DecodeLane {
  coded: Uint8Array;
  rawSize: number;
  /** The tableBits the segment was encoded with. */
  tableBits: number;
  /** The model revision it was encoded with (the payload's version). */
  revision: ModelRevision;
}

/**
 * Decodes segments as lanes in lockstep. Never hangs on damaged input: each lane stops after rawSize bytes, and
 * the binary decoder reads past its end as 0xff, so damage shows as wrong bytes, which the caller's checks catch.
 */
export async function decodeLanes(
  scorer: ContextScorer,
  frequencies: FrequencyTable,
  lanes: readonly DecodeLane[],
  options: DecodeOptions,
): Promise<Uint8Array[]> {
  const outputs = lanes.map((lane) => new Uint8Array(lane.rawSize));
  const members = lanes.map((_, i) => i);
  const k = scorer.context;
  const predictors: WasmPredictor[] = [];
  try {
    for (const lane of members) {
      const predictor = new WasmPredictor({ tableBits: lanes[lane]!.tableBits, revision: lanes[lane]!.revision });
      predictors.push(predictor);
      predictor.startDecode(lanes[lane]!.coded);
    }
    const { int64, words } = NetworkSession.allocateContexts(Math.max(1, members.length), k);
    const freq = new Int32Array(256);
    let active = members.map((_, slot) => slot).filter((slot) => lanes[members[slot]!]!.rawSize > 0);
    for (let t = 0; active.length > 0; t++) {
      if ((t & 255) === 0) throwIfAborted(options.signal);
      for (let r = 0; r < active.length; r++) writeContextRows(outputs[members[active[r]!]!]!, t, 1, k, words, r);
      const logits = await scorer.score(int64, active.length);
      for (let r = 0; r < active.length; r++) {
        const slot = active[r]!;
        outputs[members[slot]!]![t] = predictors[slot]!.decodeByte(frequencies.fill(logits, r * 256, freq));
      }
      active = active.filter((slot) => t + 1 < lanes[members[slot]!]!.rawSize);
    }
    return outputs;
  } finally {
    for (const predictor of predictors) predictor.release();
  }
}
