// Decodes chunks in batches across entries, in order, for extract and verify. Every chunk is checked twice:
// the stored blob against payload_crc32 before any decoder sees it, and the decoded bytes against raw_crc32.
import type { ArchiveHeader } from '../format/header.ts';
import type { Codec } from '../codecs/codec.ts';
import { isKnownCodec, loadCodec } from '../codecs/registry.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { crc32 } from '../format/checksum.ts';
import type { ArchiveReader } from '../format/reader.ts';
import type { ChunkRecord, ContentRecord } from '../format/records.ts';
import { MAX_CHUNK_BYTES } from '../format/schema.ts';
import { ModelRegistry } from '../model/manifest.ts';
import { priorStore } from '../model/prior-store.ts';
import { BATCH_MAX_BYTES, BATCH_MAX_CHUNKS } from './batch-limits.ts';

export interface ChunkJob {
  content: ContentRecord;
  chunk: ChunkRecord;
  /** The caller's tag for whatever the bytes belong to (an extraction target's index). */
  owner: number;
}

export type DecodedChunk = { job: ChunkJob; raw: Uint8Array; error?: undefined } | { job: ChunkJob; error: OctozipError };

function damaged(archivePath: string, message: string): OctozipError {
  return new OctozipError('damaged', message, { subject: archivePath });
}

/** Whether this build carries the model (a network or the prior) an archive names. */
function isBundled(ref: { sha256: string }): boolean {
  const sha = ref.sha256.toLowerCase();
  if (ModelRegistry.open().find(sha)) return true;
  try {
    return priorStore().manifest.sha256 === sha;
  } catch {
    return false; // no usable prior in this build
  }
}

/** A content's chunks, checked to tile its bytes exactly: seq 0..n-1, contiguous offsets, sizes adding up. */
export function planContent(reader: ArchiveReader, content: ContentRecord, maxRatio: number): ChunkRecord[] {
  const chunks = reader.chunksOf(content.id);
  const where = `content ${content.id}`;
  if (chunks.length !== content.chunkCount) {
    throw damaged(reader.archivePath, `The archive lists ${content.chunkCount} chunks for ${where} but holds ${chunks.length}.`);
  }
  let offset = 0;
  chunks.forEach((chunk, i) => {
    if (chunk.seq !== i || chunk.rawOffset !== offset) {
      throw damaged(reader.archivePath, `Chunk ${i} of ${where} is out of place.`);
    }
    if (!(chunk.rawSize > 0 && chunk.rawSize <= MAX_CHUNK_BYTES)) {
      throw damaged(reader.archivePath, `Chunk ${i} of ${where} claims an impossible size (${chunk.rawSize} bytes).`);
    }
    if (chunk.rawSize > Math.max(chunk.payloadSize, 1) * maxRatio) {
      throw new OctozipError(
        'limit-exceeded',
        `Chunk ${i} of ${where} would expand ${chunk.payloadSize} bytes to ${chunk.rawSize}, past the ratio limit.`,
        { subject: reader.archivePath },
      );
    }
    offset += chunk.rawSize;
  });
  if (offset !== content.size) {
    throw damaged(reader.archivePath, `The chunks of ${where} add up to ${offset} bytes, not ${content.size}.`);
  }
  return chunks;
}

export class ChunkDecoder {
  readonly #reader: ArchiveReader;
  readonly #header: ArchiveHeader;
  readonly #signal: AbortSignal | undefined;
  readonly #codecs = new Map<string, Promise<Codec>>();

  constructor(reader: ArchiveReader, signal?: AbortSignal) {
    this.#reader = reader;
    this.#header = reader.header;
    this.#signal = signal;
  }

  /** Loads a chunk's codec once and checks that the models it opened are ones the archive header names. */
  codecFor(id: string): Promise<Codec> {
    let codec = this.#codecs.get(id);
    if (!codec) {
      codec = this.#load(id);
      codec.catch(() => undefined); // rejections surface through each caller
      this.#codecs.set(id, codec);
    }
    return codec;
  }

  async #load(id: string): Promise<Codec> {
    if (!isKnownCodec(id)) throw damaged(this.#reader.archivePath, `A chunk names an unknown codec "${id}".`);
    const wanted = this.#header.models;
    let codec: Codec;
    try {
      codec = await loadCodec(id, { params: this.#header.codecParams[id] ?? {}, models: wanted });
    } catch (err) {
      if (err instanceof OctozipError && err.code === 'missing-model' && wanted.length > 0) {
        const names = wanted.map((m) => `${m.name} (sha256 ${m.sha256.slice(0, 12)}...)`).join(', ');
        throw new OctozipError('missing-model', `This archive needs the model ${names}, which this build does not have.`, {
          subject: this.#reader.archivePath,
          cause: err,
        });
      }
      throw err;
    }
    if (codec.models.length > 0) {
      // A codec that codes with models needs every model the header names to be in this build (an archive
      // names them by SHA-256 so that a build without one says which, instead of decoding wrong bytes)...
      const lacking = wanted.find((m) => !isBundled(m));
      if (lacking) {
        throw new OctozipError(
          'missing-model',
          `This archive needs the model ${lacking.name} (sha256 ${lacking.sha256}), which this build does not have.`,
          { subject: this.#reader.archivePath },
        );
      }
      // ...and each model the codec opened from its params must be one the header lists.
      for (const model of codec.models) {
        if (!wanted.some((m) => m.name === model.name && m.sha256 === model.sha256)) {
          throw damaged(
            this.#reader.archivePath,
            `The archive's '${id}' chunks need ${model.name} (sha256 ${model.sha256}), which its header does not list.`,
          );
        }
      }
    }
    return codec;
  }

  /** Yields every job's decoded bytes (or why not), in the order given, decoding a batch at a time. */
  async *decode(jobs: Iterable<ChunkJob>): AsyncGenerator<DecodedChunk> {
    let batch: ChunkJob[] = [];
    let batchBytes = 0;
    for (const job of jobs) {
      batch.push(job);
      batchBytes += job.chunk.rawSize;
      if (batch.length >= BATCH_MAX_CHUNKS || batchBytes >= BATCH_MAX_BYTES) {
        yield* await this.#decodeBatch(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) yield* await this.#decodeBatch(batch);
  }

  async #decodeBatch(batch: ChunkJob[]): Promise<DecodedChunk[]> {
    throwIfAborted(this.#signal);
    const results: DecodedChunk[] = new Array(batch.length);
    const byCodec = new Map<string, { index: number; payload: Uint8Array; rawSize: number }[]>();
    batch.forEach((job, index) => {
      try {
        const stored = this.#reader.storedPayload(job.chunk);
        if (crc32(stored) !== job.chunk.payloadCrc32) {
          throw damaged(this.#reader.archivePath, `Chunk ${job.chunk.seq} of content ${job.content.id} fails its payload checksum.`);
        }
        const payload = this.#reader.openPayload(stored, job.chunk);
        const group = byCodec.get(job.chunk.codec) ?? [];
        group.push({ index, payload, rawSize: job.chunk.rawSize });
        byCodec.set(job.chunk.codec, group);
      } catch (err) {
        results[index] = { job, error: asOctozipError(err, this.#reader.archivePath) };
      }
    });
    for (const [codecId, group] of byCodec) {
      let codec: Codec;
      try {
        codec = await this.codecFor(codecId);
      } catch (err) {
        for (const item of group) results[item.index] = { job: batch[item.index], error: asOctozipError(err, this.#reader.archivePath) };
        continue;
      }
      let raws: Uint8Array[] | null = null;
      try {
        raws = await codec.decodeBatch(group.map(({ payload, rawSize }) => ({ payload, rawSize })), this.#signal);
      } catch (err) {
        if (err instanceof OctozipError && err.code === 'cancelled') throw err;
      }
      for (let i = 0; i < group.length; i++) {
        const { index, payload, rawSize } = group[i];
        const job = batch[index];
        let raw = raws?.[i];
        if (!raws) {
          // The batch failed as a whole: decode alone to learn which chunks are at fault.
          try {
            raw = (await codec.decodeBatch([{ payload, rawSize }], this.#signal))[0];
          } catch (err) {
            if (err instanceof OctozipError && err.code === 'cancelled') throw err;
            results[index] = { job, error: asOctozipError(err, this.#reader.archivePath) };
            continue;
          }
        }
        if (!raw || raw.length !== rawSize || crc32(raw) !== job.chunk.rawCrc32) {
          results[index] = {
            job,
            error: damaged(this.#reader.archivePath, `Chunk ${job.chunk.seq} of content ${job.content.id} decodes to the wrong bytes.`),
          };
        } else {
          results[index] = { job, raw };
        }
      }
    }
    return results;
  }

  async close(): Promise<void> {
    for (const codec of this.#codecs.values()) {
      try {
        await (await codec).close?.();
      } catch {
        // Failed loads have nothing to close.
      }
    }
  }
}

export function asOctozipError(err: unknown, archivePath: string): OctozipError {
  if (err instanceof OctozipError) return err;
  return new OctozipError('damaged', `The archive is damaged (${(err as Error).message}).`, { subject: archivePath, cause: err });
}
