// One interface for every codec. Blocks (format 1: chunks) are independent: payload i decodes to block i alone,
// so a reader can extract any entry by decoding only the blocks it lies in, and a batch only exists to let a
// codec share work (the neural codec runs one model call per step for all blocks of a batch).
import type { CodecId, ModelRef } from '../api.ts';

export interface EncodedChunk {
  payload: Uint8Array;
}

/** Raw bytes of a batch coded so far (a slow codec reports within a block, so a progress bar moves honestly). */
export type BatchProgress = (rawBytesDone: number) => void;

export interface DecodeRequest {
  payload: Uint8Array;
  rawSize: number;
  prefix?: number;
}

export interface Codec {
  readonly id: CodecId;
  /** Models whose exact weights the payloads depend on; recorded in the archive header. */
  readonly models: readonly ModelRef[];
  /** Parameters a decoder needs that are not in each payload; recorded in the header, keyed by codec id. */
  readonly params: Readonly<Record<string, unknown>>;
  /** `onProgress`, when the codec can tell, gets the raw bytes of the batch coded so far, now and then. */
  encodeBatch(chunks: readonly Uint8Array[], signal?: AbortSignal, onProgress?: BatchProgress): Promise<EncodedChunk[]>;
  /**
   * rawSize is the block's recorded size; a decoder must fail (OctozipError 'damaged') rather than return other
   * bytes. `prefix` (<= rawSize), when given, is how many leading bytes the caller needs: a sequential decoder
   * may stop there (extracting one file from a solid block); any codec may still return all rawSize bytes.
   */
  decodeBatch(chunks: readonly DecodeRequest[], signal?: AbortSignal, onProgress?: BatchProgress): Promise<Uint8Array[]>;
  /** Release native resources (ORT sessions). */
  close?(): Promise<void>;
}
