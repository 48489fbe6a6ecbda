// Codes one solid block with the candidate codecs of the preset and keeps the smallest payload; 'store' always
// competes and wins ties, so no block is ever larger than its bytes. Already-compressed files go to 'store'
// at once.
//
// Brotli competes only where it could win: on blocks under BROTLI_ALWAYS_BYTES, and where the learned codecs
// leave more than a quarter of the bytes. Quality 11 with a 16 MiB window costs 1.5-2 s of CPU per MB here,
// 30 s on the curl tree's three text blocks, more than half of what the context mixer spends on them, and on
// text it never comes close: on own validation text (JavaScript and TypeScript from node_modules, libxml2's C,
// Markdown, prose) it stored 26-43% more than cm.
import type { CodecId, ModelRef } from '../api.ts';
import type { Codec } from '../codecs/codec.ts';
import { isCodecAvailable, loadCodec } from '../codecs/registry.ts';
import { throwIfAborted, untilAborted } from '../errors.ts';
import type { PresetSettings } from '../presets.ts';
import type { FileKind } from './file-kinds.ts';

export interface EncodedBlock {
  codec: CodecId;
  payload: Uint8Array;
  /**
   * What brotli alone stored (the raw size for already-compressed files, which no codec tries), or null where
   * brotli was not tried because a learned codec was far ahead: "x% better than brotli" only when known.
   */
  classicalBytes: number | null;
}

/** Blocks below this always meet brotli too: it is cheap there, and small blocks are where it can win. */
export const BROTLI_ALWAYS_BYTES = 1024 * 1024;
/** Brotli also competes when the best learned payload is larger than this share of the raw bytes (2 bits a byte). */
const BROTLI_WORTH_TRYING = 0.25;

export class BlockEncoder {
  readonly #codecs: Codec[];
  readonly #used = new Set<CodecId>();

  private constructor(codecs: Codec[]) {
    this.#codecs = codecs;
  }

  /**
   * Loads the preset's codecs; one this build lacks is replaced by brotli, with a note saying so. existingParams:
   * an archive header's codec params, when the new blocks join blocks already coded: each codec then codes with
   * what those params name (the cm codec with exactly the header's list of priors, whose indices its payloads
   * record), so the header's params stay true of every block.
   */
  static async open(settings: PresetSettings, threads: number, notes: string[], existingParams?: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Promise<BlockEncoder> {
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
    return new BlockEncoder(await Promise.all(ids.map((id) => loadCodec(id, { settings, threads, params: existingParams?.[id] }))));
  }

  /** `onProgress`: the block's bytes coded so far, from the codecs that can tell (the context mixer). */
  async encode(raw: Uint8Array, kind: FileKind, signal?: AbortSignal, onProgress?: (bytesDone: number) => void): Promise<EncodedBlock> {
    let best: { codec: CodecId; payload: Uint8Array } = { codec: 'store', payload: raw };
    let classicalBytes: number | null = raw.length;
    if (kind !== 'compressed') {
      const brotli = this.#codecs.find((c) => c.id === 'brotli');
      const learned = this.#codecs.filter((c) => c !== brotli);
      const always = brotli && (learned.length === 0 || raw.length < BROTLI_ALWAYS_BYTES) ? [brotli] : [];
      const results = await this.#run([...learned, ...always], raw, kind, signal, onProgress);
      const bestLearned = Math.min(...results.filter((r) => r.id !== 'brotli').map((r) => r.payload.length));
      if (brotli && always.length === 0 && bestLearned > raw.length * BROTLI_WORTH_TRYING) {
        results.push(...(await this.#run([brotli], raw, kind, signal)));
      }
      classicalBytes = brotli ? null : raw.length;
      for (const r of results) {
        if (r.payload.length < best.payload.length) best = { codec: r.id, payload: r.payload };
        if (r.id === 'brotli') classicalBytes = Math.min(raw.length, r.payload.length);
      }
    }
    this.#used.add(best.codec);
    return { ...best, classicalBytes };
  }

  /**
   * Runs codecs on the block at once (brotli on libuv's thread pool, the mixer on its worker threads or, for a
   * lone block, on this one); results come back in the order given, which decides ties.
   */
  async #run(codecs: readonly Codec[], raw: Uint8Array, kind: FileKind, signal?: AbortSignal, onProgress?: (bytesDone: number) => void) {
    const encode = async (codec: Codec) => ({ id: codec.id, payload: (await codec.encodeBatch([raw], signal, onProgress, { kind }))[0]!.payload });
    // Started last to first: brotli comes last, and a mixer coding on this thread returns only when it is done,
    // so started first it kept brotli waiting (lcet10.txt: 0.35 s idle after the mixer, brotli's turn).
    const pending: Promise<{ id: CodecId; payload: Uint8Array }>[] = [];
    for (let i = codecs.length - 1; i >= 0; i--) pending[i] = encode(codecs[i]!);
    // A cancel does not wait for a codec that cannot stop mid-block (brotli on the thread pool).
    const results = await untilAborted(Promise.all(pending), signal);
    throwIfAborted(signal);
    return results;
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
