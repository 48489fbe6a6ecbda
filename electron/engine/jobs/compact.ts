// compact: rewrites an archive without the bytes no entry uses any more (left by delete and by add's
// replacements), and converts a format-1 or format-2 archive to the current format. Blocks whose every byte is
// still used are copied as they are (no recoding); the live bytes of the others are decoded and coded again into
// new solid blocks, one kind per block, with the archive's own preset. The new archive is written beside the old
// one and renamed over it only when complete, so a cancel or crash leaves the old archive untouched.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CompactOptions, CompactSummary } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { crc32 } from '../format/checksum.ts';
import { ArchiveReader } from '../format/reader.ts';
import type { BlockRecord, CatalogContent, ContentRecord, Slice } from '../format/records.ts';
import { FIRST_SOLID_VERSION, FORMAT_VERSION } from '../format/schema.ts';
import { ArchiveWriter } from '../format/writer.ts';
import { publishTempFile, removeStaleTempFiles, tempPathBeside } from '../fs/temp-file.ts';
import { writeErrorFor } from '../fs/write-error.ts';
import { archiveSettings } from '../presets.ts';
import { BlockDecoder } from './block-decoder.ts';
import { BlockEncoder } from './block-encoder.ts';
import { ContentCheck } from './content-stream.ts';
import { CREATOR } from '../version.ts';
import { kindFromName, type FileKind } from './file-kinds.ts';
import { codingThreads } from './coding-threads.ts';
import { ProgressTracker } from './progress.ts';

/** Live bytes waiting to be coded into a new block of one kind. */
interface RecodeBuffer {
  kind: FileKind;
  parts: { content: number; bytes: Uint8Array }[];
  size: number;
}

export async function compactArchive(options: CompactOptions): Promise<CompactSummary> {
  const started = performance.now();
  const archivePath = path.resolve(options.archivePath);
  const { signal } = options;
  removeStaleTempFiles(archivePath);
  const before = fs.statSync(archivePath).size;
  const reader = ArchiveReader.open(archivePath);
  const tempPath = tempPathBeside(archivePath);
  let writer: ArchiveWriter | null = null;
  let encoder: BlockEncoder | null = null;
  let decoder: BlockDecoder | null = null;
  try {
    await reader.unlock(options.password);
    const entries = reader.entries();
    const contents = reader.contents();
    const blocks = reader.blocks();
    const { settings } = archiveSettings(reader.header);

    // Which contents are live, the kind each would be coded as, and the live bytes of every block.
    const live = new Map<number, ContentRecord>();
    const kindOf = new Map<number, FileKind>();
    for (const e of entries) {
      if (e.contentId === null) continue;
      const content = contents.get(e.contentId);
      if (!content || content.problem) {
        throw new OctozipError('damaged', content?.problem ?? `The content of "${e.path}" is missing; run verify.`, { subject: archivePath });
      }
      live.set(content.id, content);
      if (!kindOf.has(content.id)) kindOf.set(content.id, kindFromName(e.path) ?? 'binary');
    }
    const liveBytes = new Map<number, number>();
    const slicesIn = new Map<number, { content: number; index: number }[]>();
    for (const content of live.values()) {
      content.slices.forEach((slice, index) => {
        liveBytes.set(slice.blockId, (liveBytes.get(slice.blockId) ?? 0) + slice.length);
        let list = slicesIn.get(slice.blockId);
        if (!list) slicesIn.set(slice.blockId, (list = []));
        list.push({ content: content.id, index });
      });
    }
    const dataBlocks = [...blocks.values()].filter((b) => b.role === 'data' && liveBytes.has(b.id)).sort((a, b) => a.id - b.id);
    // Solid blocks (formats 2 and 3) used to their last byte are kept whole; format-1 chunks are always recoded.
    const solid = reader.formatVersion >= FIRST_SOLID_VERSION;
    const keepWhole = (b: BlockRecord) => solid && liveBytes.get(b.id) === b.rawSize;
    const totalBytes = dataBlocks.reduce((sum, b) => sum + b.rawSize, 0);
    const progress = new ProgressTracker(options.onProgress, 'compress', { bytes: totalBytes, entries: entries.length });
    progress.emit(true);

    const threads = codingThreads(options.threads, dataBlocks.length, totalBytes);
    const notes: string[] = [];
    // New blocks code with the models the header already names (a cm payload names its prior by its index in the
    // header's list): kept blocks still point into that list, and the header keeps it.
    encoder = await BlockEncoder.open(settings, threads, notes, reader.header.codecParams);
    decoder = new BlockDecoder(reader, signal, threads);
    writer = ArchiveWriter.create(tempPath, reader.cipher);
    const out = writer;
    const newSlices = new Map<number, Slice[]>([...live.keys()].map((id) => [id, []]));
    const newCrcs = new Map<number, number>();
    const buffers = new Map<FileKind, RecodeBuffer>();
    /** Contents whose bytes went through recoding: running CRC-32 and the archive's own check of them. */
    const recoded = new Map<number, { crc: number; length: number; next: number; check: ContentCheck }>();

    const flush = async (buffer: RecodeBuffer) => {
      if (buffer.size === 0) return;
      const raw = new Uint8Array(buffer.size);
      let at = 0;
      for (const part of buffer.parts) {
        raw.set(part.bytes, at);
        at += part.bytes.length;
      }
      const encoded = await encoder!.encode(raw, buffer.kind, signal);
      const { id } = out.addBlock({ role: 'data', codec: encoded.codec, rawSize: raw.length, rawSha256: crypto.createHash('sha256').update(raw).digest(), payload: encoded.payload });
      at = 0;
      for (const part of buffer.parts) {
        newSlices.get(part.content)!.push({ blockId: id, offset: at, length: part.bytes.length });
        at += part.bytes.length;
      }
      buffer.parts = [];
      buffer.size = 0;
    };
    const flushAll = async () => {
      for (const buffer of buffers.values()) await flush(buffer);
    };

    for (const block of dataBlocks) {
      throwIfAborted(signal);
      const inBlock = slicesIn.get(block.id)!;
      if (keepWhole(block)) {
        // A content running from recoded bytes into this block must keep its slices in block order.
        await flushAll();
        const stored = reader.storedPayload(block);
        if (crc32(stored) !== block.payloadCrc32) throw new OctozipError('damaged', `Block ${block.id} fails its payload checksum.`, { subject: archivePath });
        const payload = reader.openPayload(stored, block);
        const { id } = out.addBlock(
          { role: 'data', codec: block.codec as 'store', rawSize: block.rawSize, rawSha256: Buffer.from(block.rawSha256 ?? '', 'hex'), payload },
          { hashKeyed: true },
        );
        for (const { content, index } of inBlock) {
          const slice = live.get(content)!.slices[index]!;
          newSlices.get(content)!.push({ ...slice, blockId: id });
        }
      } else {
        const raw = await decoder.decode(block);
        inBlock.sort((a, b) => live.get(a.content)!.slices[a.index]!.offset - live.get(b.content)!.slices[b.index]!.offset);
        for (const { content, index } of inBlock) {
          const slice = live.get(content)!.slices[index]!;
          const kind = kindOf.get(content)!;
          let buffer = buffers.get(kind);
          if (!buffer) buffers.set(kind, (buffer = { kind, parts: [], size: 0 }));
          let bytes = raw.subarray(slice.offset, slice.offset + slice.length);
          let seen = recoded.get(content);
          if (!seen) recoded.set(content, (seen = { crc: 0, length: 0, next: 0, check: new ContentCheck(live.get(content)!) }));
          // Format 1: every slice is recoded, so each content's must arrive in order for its CRC-32 to mean anything.
          if (!solid && index !== seen.next) {
            throw new OctozipError('damaged', `Content ${content}'s chunks are out of order.`, { subject: archivePath });
          }
          seen.next = index + 1;
          seen.crc = crc32(bytes, seen.crc);
          seen.length += bytes.length;
          seen.check.update(bytes);
          while (bytes.length > 0) {
            const take = Math.min(bytes.length, settings.blockBytes - buffer.size);
            buffer.parts.push({ content, bytes: bytes.subarray(0, take) });
            buffer.size += take;
            bytes = bytes.subarray(take);
            if (buffer.size === settings.blockBytes) await flush(buffer);
          }
        }
      }
      progress.bytesDone += block.rawSize;
      progress.emit();
    }
    await flushAll();

    // Format 1 kept a SHA-256 per content, formats 2 and 3 keep a CRC-32: every format-1 content passed through the
    // recoding above whole and in order, so its CRC-32 was computed there from bytes checked against its SHA-256.
    for (const content of live.values()) {
      const seen = recoded.get(content.id);
      if (solid || content.size === 0) newCrcs.set(content.id, content.crc32 ?? 0);
      else if (!seen || seen.length !== content.size || !seen.check.matches()) {
        throw new OctozipError('damaged', `A file's bytes do not match their SHA-256; run verify.`, { subject: archivePath });
      } else newCrcs.set(content.id, seen.crc);
    }
    const order = [...live.keys()].sort((a, b) => {
      const sa = newSlices.get(a)![0];
      const sb = newSlices.get(b)![0];
      return (sa?.blockId ?? 0) - (sb?.blockId ?? 0) || (sa?.offset ?? 0) - (sb?.offset ?? 0) || a - b;
    });
    const newId = new Map(order.map((old, id) => [old, id]));
    const catalogContents: CatalogContent[] = order.map((old, id) => ({ id, size: live.get(old)!.size, crc32: newCrcs.get(old)!, slices: newSlices.get(old)! }));
    out.writeCatalog(
      entries.map((e) => ({ ...e, contentId: e.contentId === null ? null : newId.get(e.contentId)! })),
      catalogContents,
    );
    const used = encoder.headerRecords();
    const codecParams = { ...reader.header.codecParams };
    for (const [id, params] of Object.entries(used.codecParams)) codecParams[id] ??= params;
    const models = [...reader.header.models];
    for (const m of used.models) if (!models.some((x) => x.sha256 === m.sha256)) models.push(m);
    out.writeHeader({
      formatVersion: FORMAT_VERSION,
      creator: CREATOR,
      createdAt: reader.header.createdAt,
      preset: reader.header.preset,
      blockBytes: settings.blockBytes,
      codecParams,
      models,
      encryption: reader.header.encryption,
    });
    throwIfAborted(signal);
    out.finish({ vacuum: false });
    writer = null;
    reader.close();
    publishTempFile(tempPath, archivePath);
    const after = fs.statSync(archivePath).size;
    return { archivePath, bytesBefore: before, archiveBytes: after, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    ArchiveWriter.discard(writer, tempPath);
    throw writeErrorFor(err, archivePath);
  } finally {
    await decoder?.close();
    await encoder?.close();
    reader.close();
  }
}

