// Decodes data blocks for extract and verify. Every block is checked twice: the stored blob against its payload
// checksum before any decoder sees it, and the decoded bytes against the block's hash (format 1: CRC-32) when
// the whole block was decoded. A prefix (the bytes up to the last file needed) is checked by each file's own
// checksum instead.
import type { Codec } from '../codecs/codec.ts';
import { isKnownCodec, loadCodec } from '../codecs/registry.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { crc32 } from '../format/checksum.ts';
import type { ArchiveHeader } from '../format/header.ts';
import type { ArchiveReader } from '../format/reader.ts';
import type { BlockRecord } from '../format/records.ts';
import { MAX_CHUNK_RATIO } from '../limits.ts';
import { ModelRegistry } from '../model/manifest.ts';
import { bundledPrior } from '../model/prior-store.ts';
import { priorFromParams, priorsFromParams } from '../codecs/context-mixing.ts';

function damaged(archivePath: string, message: string): OctozipError {
  return new OctozipError('damaged', message, { subject: archivePath });
}

/** Whether this build carries the model (a network or a prior) an archive names. */
function isBundled(ref: { sha256: string }): boolean {
  const sha = ref.sha256.toLowerCase();
  return ModelRegistry.open().find(sha) !== undefined || bundledPrior(sha) !== null;
}

/** The priors an archive's cm params list: the codec checks each block's own prior, so a missing one fails only its blocks. */
function listedPriors(header: ArchiveHeader): Set<string> {
  const params = header.codecParams['cm'];
  return new Set([priorFromParams(params), ...(priorsFromParams(params) ?? [])].flatMap((ref) => (ref ? [ref.sha256.toLowerCase()] : [])));
}

export class BlockDecoder {
  readonly #reader: ArchiveReader;
  readonly #header: ArchiveHeader;
  readonly #signal: AbortSignal | undefined;
  readonly #codecs = new Map<string, Promise<Codec>>();
  readonly #threads: number;

  /** `threads`: worker threads a codec may decode blocks on at once (0: this thread). */
  constructor(reader: ArchiveReader, signal: AbortSignal | undefined, threads: number) {
    this.#reader = reader;
    this.#header = reader.header;
    this.#signal = signal;
    this.#threads = threads;
  }

  /** The job's cancel signal: whoever hands out decoded blocks checks it too (they may be decoded well ahead). */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  /** Loads a block's codec once and checks that the models it opened are ones the archive header names. */
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
    if (!isKnownCodec(id)) throw damaged(this.#reader.archivePath, `A block names an unknown codec "${id}".`);
    const wanted = this.#header.models;
    let codec: Codec;
    try {
      codec = await loadCodec(id, { params: this.#header.codecParams[id] ?? {}, models: wanted, threads: this.#threads });
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
      const optional = listedPriors(this.#header);
      const lacking = wanted.find((m) => !isBundled(m) && !optional.has(m.sha256.toLowerCase()));
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
            `The archive's '${id}' blocks need ${model.name} (sha256 ${model.sha256}), which its header does not list.`,
          );
        }
      }
    }
    return codec;
  }

  /**
   * The block's first `prefix` decoded bytes (all of them by default), checked. Throws OctozipError: 'damaged'
   * for a bad payload or wrong bytes, 'missing-model', 'limit-exceeded' for an impossible expansion.
   */
  async decode(block: BlockRecord, prefix = block.rawSize, onProgress?: (bytesDone: number) => void): Promise<Uint8Array> {
    throwIfAborted(this.#signal);
    const archivePath = this.#reader.archivePath;
    if (block.rawSize > Math.max(block.payloadSize, 1) * MAX_CHUNK_RATIO) {
      throw new OctozipError('limit-exceeded', `Block ${block.id} would expand ${block.payloadSize} bytes to ${block.rawSize}, past the ratio limit.`, {
        subject: archivePath,
      });
    }
    const stored = this.#reader.storedPayload(block);
    if (crc32(stored) !== block.payloadCrc32) throw damaged(archivePath, `Block ${block.id} fails its payload checksum.`);
    const payload = this.#reader.openPayload(stored, block);
    const codec = await this.codecFor(block.codec);
    let raw: Uint8Array | undefined;
    try {
      [raw] = await codec.decodeBatch([{ payload, rawSize: block.rawSize, prefix }], this.#signal, onProgress);
    } catch (err) {
      if (err instanceof OctozipError && (err.code === 'cancelled' || err.code === 'missing-model')) throw err;
      throw asOctozipError(err, archivePath);
    }
    if (!raw || raw.length < prefix) throw damaged(archivePath, `Block ${block.id} decodes to too few bytes.`);
    if (raw.length > prefix) raw = raw.subarray(0, prefix);
    if (prefix === block.rawSize) {
      const intact = block.rawCrc32 !== null ? crc32(raw) === block.rawCrc32 : this.#reader.rawHash(raw, block) === block.rawSha256;
      if (!intact) throw damaged(archivePath, `Block ${block.id} decodes to the wrong bytes.`);
    }
    return raw;
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
  if (err instanceof OctozipError) return err.subject ? err : new OctozipError(err.code, err.message, { subject: archivePath, cause: err });
  return new OctozipError('damaged', `The archive is damaged (${(err as Error).message}).`, { subject: archivePath, cause: err });
}
