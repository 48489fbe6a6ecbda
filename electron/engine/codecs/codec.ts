// One interface for every codec. Chunks are independent: payload i decodes to chunk i alone, so a reader can
// extract any entry without touching the others, and a batch only exists to let a codec share work
// (the neural codec runs one model call per step for all chunks of a batch).
import type { CodecId, ModelRef } from '../api.ts';

export interface EncodedChunk {
  payload: Uint8Array;
}

export interface Codec {
  readonly id: CodecId;
  /** Models whose exact weights the payloads depend on; recorded in the archive header. */
  readonly models: readonly ModelRef[];
  /** Parameters a decoder needs that are not in each payload; recorded in the header, keyed by codec id. */
  readonly params: Readonly<Record<string, unknown>>;
  encodeBatch(chunks: readonly Uint8Array[], signal?: AbortSignal): Promise<EncodedChunk[]>;
  /** rawSize is the chunk's recorded size; a decoder must fail (OctozipError 'damaged') rather than return other bytes. */
  decodeBatch(chunks: readonly { payload: Uint8Array; rawSize: number }[], signal?: AbortSignal): Promise<Uint8Array[]>;
  /** Release native resources (ORT sessions). */
  close?(): Promise<void>;
}
