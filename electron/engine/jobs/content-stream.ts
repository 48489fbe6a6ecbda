// Turns decoded blocks back into contents, for extract and verify: decodes the blocks the wanted contents lie in,
// in block order, each only as far as the last wanted byte (or whole, for verify), up to `threads` at once and
// ahead of the one being handed out (jobs/ordered-work.ts), so worker threads decode in parallel while files are
// written; then hands out each content's slices in order.
import crypto from 'node:crypto';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { crc32 } from '../format/checksum.ts';
import type { ArchiveReader } from '../format/reader.ts';
import type { BlockRecord, ContentRecord } from '../format/records.ts';
import { asOctozipError, type BlockDecoder } from './block-decoder.ts';
import { AHEAD_BYTES } from './coding-threads.ts';
import { OrderedWork } from './ordered-work.ts';

export type ContentEvent =
  /** The next bytes of a content; `last` on its final piece (an empty content has one empty piece). */
  | { content: ContentRecord; bytes: Uint8Array; last: boolean; error?: undefined }
  /** The content cannot be produced (a bad record, a block that failed); no more events follow for it. */
  | { content: ContentRecord; error: OctozipError };

export interface StreamOptions {
  /** Decode every needed block to its end, so its hash is checked (verify); else stop at the last wanted byte. */
  wholeBlocks: boolean;
  /** Blocks decoded at once (worker threads; 0 counts as 1). */
  threads: number;
  /** Called once per block as it is decoded, with its stored size (extraction budgets). */
  onBlockDecoded?(block: BlockRecord): void;
  /**
   * While blocks decode: how many of the wanted bytes in blocks not yet handed out are decoded (estimated as the
   * decoded share of each block times its wanted bytes); a progress bar adds this to the bytes already handed out.
   */
  onPartial?(bytes: number): void;
  /** Called once per block that fails (verify reports blocks as well as the files in them). */
  onBlockFailed?(block: BlockRecord, error: OctozipError): void;
}

/** A content's checksum as the archive records it: CRC-32 (format 2) or SHA-256 (format 1). */
export class ContentCheck {
  readonly #content: ContentRecord;
  readonly #hash: crypto.Hash | null;
  #crc = 0;
  #length = 0;

  constructor(content: ContentRecord) {
    this.#content = content;
    this.#hash = content.sha256 !== null ? crypto.createHash('sha256') : null;
  }

  update(bytes: Uint8Array): void {
    if (this.#hash) this.#hash.update(bytes);
    else this.#crc = crc32(bytes, this.#crc);
    this.#length += bytes.length;
  }

  /** Whether the bytes seen are the content's, exactly. Call once, after the last piece. */
  matches(): boolean {
    if (this.#length !== this.#content.size) return false;
    return this.#hash ? this.#hash.digest('hex') === this.#content.sha256 : this.#crc === this.#content.crc32;
  }
}

/** Why a content's slices cannot be followed in order, if they cannot. */
function orderProblem(content: ContentRecord): string | undefined {
  for (let i = 1; i < content.slices.length; i++) {
    const a = content.slices[i - 1]!;
    const b = content.slices[i]!;
    if (b.blockId < a.blockId || (b.blockId === a.blockId && b.offset < a.offset + a.length)) {
      return `The slices of content ${content.id} run backwards or overlap.`;
    }
  }
  return undefined;
}

export async function* streamContents(
  reader: ArchiveReader,
  decoder: BlockDecoder,
  contents: Iterable<ContentRecord>,
  options: StreamOptions,
): AsyncGenerator<ContentEvent> {
  const blocks = reader.blocks();
  const failed = new Set<number>();
  const byBlock = new Map<number, { content: ContentRecord; index: number }[]>();
  for (const content of contents) {
    const problem = content.problem ?? orderProblem(content);
    if (problem) {
      failed.add(content.id);
      yield { content, error: new OctozipError('damaged', problem, { subject: reader.archivePath }) };
      continue;
    }
    if (content.size === 0) {
      yield { content, bytes: new Uint8Array(0), last: true };
      continue;
    }
    content.slices.forEach((slice, index) => {
      const list = byBlock.get(slice.blockId) ?? [];
      list.push({ content, index });
      byBlock.set(slice.blockId, list);
    });
  }
  const order = [...byBlock.keys()].sort((a, b) => a - b);
  const partial = new Map<number, number>();
  const reportPartial = () => options.onPartial?.([...partial.values()].reduce((a, b) => a + b, 0));
  /** How far block i is decoded: to its end (verify), or to the last wanted byte. */
  const decodeEnd = (i: number): number => {
    const block = blocks.get(order[i]!)!;
    if (options.wholeBlocks) return block.rawSize;
    // reduce, not Math.max(...): a block of small files holds tens of thousands of slices, past the argument limit.
    return byBlock.get(block.id)!.reduce((end, { content, index }) => Math.max(end, content.slices[index]!.offset + content.slices[index]!.length), 0);
  };
  const decodeAt = (i: number): Promise<Uint8Array> => {
    const block = blocks.get(order[i]!)!;
    const end = decodeEnd(i);
    const wantedBytes = byBlock.get(block.id)!.reduce((sum, { content, index }) => sum + content.slices[index]!.length, 0);
    const onProgress = options.onPartial
      ? (bytesDone: number) => {
          partial.set(block.id, Math.floor((wantedBytes * bytesDone) / Math.max(1, end)));
          reportPartial();
        }
      : undefined;
    return decoder.decode(block, end, onProgress);
  };
  const work = new OrderedWork(order.length, decodeAt, { weight: decodeEnd, concurrency: options.threads, maxAheadBytes: AHEAD_BYTES });
  for (let i = 0; i < order.length; i++) {
    const block = blocks.get(order[i]!)!;
    const wanted = byBlock.get(block.id)!.sort((a, b) => a.content.slices[a.index]!.offset - b.content.slices[b.index]!.offset);
    let raw: Uint8Array | null = null;
    let error: OctozipError | null = null;
    try {
      raw = await work.next();
      // Blocks may be decoded well ahead of this point (store blocks at once), so a cancel is heard here too.
      throwIfAborted(decoder.signal);
      options.onBlockDecoded?.(block);
    } catch (err) {
      if (err instanceof OctozipError && err.code === 'cancelled') throw err;
      error = asOctozipError(err, reader.archivePath);
      options.onBlockFailed?.(block, error);
    }
    if (partial.delete(block.id)) reportPartial();
    for (const { content, index } of wanted) {
      if (failed.has(content.id)) continue;
      if (error) {
        failed.add(content.id);
        yield { content, error };
        continue;
      }
      const slice = content.slices[index]!;
      yield { content, bytes: raw!.subarray(slice.offset, slice.offset + slice.length), last: index === content.slices.length - 1 };
    }
  }
}
