// Codes one solid block with every candidate codec of the preset and keeps the smallest payload; 'store' always
// competes and wins ties, so no block is ever larger than its bytes. Already-compressed files go to 'store'
// at once. Candidates run at once: brotli on libuv's thread pool, the context mixer on its worker threads.
import type { CodecId, ModelRef } from '../api.ts';
import type { Codec } from '../codecs/codec.ts';
import { isCodecAvailable, loadCodec } from '../codecs/registry.ts';
import { throwIfAborted, untilAborted } from '../errors.ts';
import type { PresetSettings } from '../presets.ts';
import type { FileKind } from './file-kinds.ts';

export interface EncodedBlock {
  codec: CodecId;
  payload: Uint8Array;
  /** What brotli alone would have stored (or the raw size where brotli was not tried): "x% better than brotli". */
  classicalBytes: number;
}

export class BlockEncoder {
  readonly #codecs: Codec[];
  readonly #used = new Set<CodecId>();

  private constructor(codecs: Codec[]) {
    this.#codecs = codecs;
  }

  /** Loads the preset's codecs; one this build lacks is replaced by brotli, with a note saying so. */
  static async open(settings: PresetSettings, threads: number, notes: string[]): Promise<BlockEncoder> {
    const ids: CodecId[] = [];
    for (const id of settings.codecs) {
      if (id === 'store') continue; // store always competes, without a codec call
      if (isCodecAvailable(id)) {
        if (!ids.includes(id)) ids.push(id);
      } else {
        notes.push(`The '${id}' codec is not available in this build; compressed with brotli instead.`);
        if (!ids.includes('brotli')) ids.push('brotli');
      }
    }
    return new BlockEncoder(await Promise.all(ids.map((id) => loadCodec(id, { settings, threads }))));
  }

  /** `onProgress`: the block's bytes coded so far, from the codecs that can tell (the context mixer). */
  async encode(raw: Uint8Array, kind: FileKind, signal?: AbortSignal, onProgress?: (bytesDone: number) => void): Promise<EncodedBlock> {
    let best: { codec: CodecId; payload: Uint8Array } = { codec: 'store', payload: raw };
    let classicalBytes = raw.length;
    if (kind !== 'compressed') {
      // A cancel does not wait for a codec that cannot stop mid-block (brotli on the thread pool).
      const results = await untilAborted(
        Promise.all(this.#codecs.map(async (codec) => ({ id: codec.id, payload: (await codec.encodeBatch([raw], signal, onProgress, { kind }))[0]!.payload }))),
        signal,
      );
      throwIfAborted(signal);
      for (const r of results) {
        if (r.payload.length < best.payload.length) best = { codec: r.id, payload: r.payload };
        if (r.id === 'brotli') classicalBytes = Math.min(raw.length, r.payload.length);
      }
    }
    this.#used.add(best.codec);
    return { ...best, classicalBytes };
  }

  /** Header records for the codecs that won at least one block: their params, and every model they depend on. */
  headerRecords(): { codecParams: Record<string, Record<string, unknown>>; models: ModelRef[] } {
    const models = new Map<string, ModelRef>();
    const codecParams: Record<string, Record<string, unknown>> = {};
    for (const codec of this.#codecs) {
      if (!this.#used.has(codec.id)) continue;
      codecParams[codec.id] = { ...codec.params };
      for (const m of codec.models) models.set(`${m.name}\0${m.sha256}`, { name: m.name, sha256: m.sha256 });
    }
    return { codecParams, models: [...models.values()] };
  }

  async close(): Promise<void> {
    await Promise.all(this.#codecs.map((c) => c.close?.()));
  }
}
