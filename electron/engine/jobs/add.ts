// add: new files and folders into an existing archive, in one transaction. The inputs are first compressed into
// a staging archive beside the target (the same create pipeline, presets, kinds and solid blocks, sealed with
// the target's own keys), then its blocks are copied in as they are and the catalog is rewritten. Blocks already
// in the archive are never recoded. A new file whose bytes the archive already holds is stored once. An entry
// whose path already exists is replaced. Nothing in the archive changes until the final commit.
import fs from 'node:fs';
import path from 'node:path';
import type { AddOptions, AddSummary, Preset } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { ArchiveEditor } from '../format/archive-editor.ts';
import { ArchiveReader } from '../format/reader.ts';
import type { ContentRecord, EntryRecord, StoredEntry } from '../format/records.ts';
import { removeDatabaseQuietly, removeStaleTempFilesIn, tempPathBeside } from '../fs/temp-file.ts';
import { DEFAULT_PRESET, PRESETS } from '../presets.ts';
import { BlockDecoder } from './block-decoder.ts';
import { rebuildCatalog } from './catalog-edit.ts';
import { streamContents } from './content-stream.ts';
import { createArchiveWithSettings } from './create.ts';
import { assertEntriesSafe } from './entry-checks.ts';

/** Contents larger than this are not compared byte for byte to find a duplicate; they are simply stored. */
const DEDUP_COMPARE_MAX_BYTES = 64 * 1024 * 1024;

/** A content's bytes, decoded (only for duplicate checks, bounded by DEDUP_COMPARE_MAX_BYTES). */
async function contentBytes(reader: ArchiveReader, content: ContentRecord, signal?: AbortSignal): Promise<Buffer> {
  const decoder = new BlockDecoder(reader, signal, 1);
  try {
    const parts: Uint8Array[] = [];
    for await (const event of streamContents(reader, decoder, [content], { wholeBlocks: false, lookahead: 0 })) {
      if (event.error) throw event.error;
      parts.push(event.bytes);
    }
    return Buffer.concat(parts);
  } finally {
    await decoder.close();
  }
}

export async function addToArchive(options: AddOptions): Promise<AddSummary> {
  const started = performance.now();
  const archivePath = path.resolve(options.cwd ?? process.cwd(), options.archivePath);
  removeStaleTempFilesIn(path.dirname(archivePath));
  const target = ArchiveReader.open(archivePath);
  const staging = tempPathBeside(archivePath);
  let editor: ArchiveEditor | null = null;
  let source: ArchiveReader | null = null;
  try {
    await target.unlock(options.password);
    ArchiveEditor.assertEditable(target);
    const existing = target.entries();
    const existingContents = target.contents();
    const cipher = target.cipher;
    const recorded = target.header.preset;
    const preset: Preset = options.preset ?? (recorded !== null && recorded in PRESETS ? (recorded as Preset) : DEFAULT_PRESET);

    await createArchiveWithSettings(
      {
        archivePath: staging,
        inputs: options.inputs,
        cwd: options.cwd,
        preset,
        signal: options.signal,
        onProgress: options.onProgress,
        threads: options.threads,
      },
      PRESETS[preset],
      cipher ? { cipher } : {},
    );
    source = ArchiveReader.open(staging);
    await source.unlock(options.password);
    const added = source.entries();
    const addedContents = source.contents();

    // The archive as it will be: every path once, no entry under a file or a link.
    const addedPaths = new Set(added.map((e) => e.path));
    const kept = existing.filter((e) => !addedPaths.has(e.path));
    try {
      assertEntriesSafe([...kept, ...added], archivePath);
    } catch (err) {
      if (!(err instanceof OctozipError)) throw err;
      throw new OctozipError('exists', `Cannot add: ${err.message.replace(/^Refusing to extract:? ?/, '')}`, { subject: archivePath });
    }

    // New contents the archive already holds (same size and CRC-32, then the same bytes) are referenced.
    const byFingerprint = new Map<string, ContentRecord[]>();
    for (const c of existingContents.values()) {
      const key = `${c.size}:${c.crc32}`;
      byFingerprint.set(key, [...(byFingerprint.get(key) ?? []), c]);
    }
    const twinOf = new Map<number, number>();
    for (const c of addedContents.values()) {
      const candidates = byFingerprint.get(`${c.size}:${c.crc32}`) ?? [];
      if (candidates.length === 0 || c.size > DEDUP_COMPARE_MAX_BYTES) continue;
      const bytes = await contentBytes(source, c, options.signal);
      for (const candidate of candidates) {
        if (bytes.equals(await contentBytes(target, candidate, options.signal))) {
          twinOf.set(c.id, candidate.id);
          break;
        }
      }
    }

    throwIfAborted(options.signal);
    editor = ArchiveEditor.open(archivePath, cipher);
    // Staged blocks holding any new bytes are copied in; content keys past the existing ids name staged contents.
    const stagedKey = Math.max(-1, ...existingContents.keys()) + 1;
    const newBlockId = new Map<number, number>();
    const merged = new Map<number, Omit<ContentRecord, 'id' | 'sha256' | 'packedSize'>>(existingContents);
    for (const c of addedContents.values()) {
      if (twinOf.has(c.id)) continue;
      const slices = c.slices.map((slice) => {
        let id = newBlockId.get(slice.blockId);
        if (id === undefined) {
          id = editor!.copyBlock(source!, source!.blocks().get(slice.blockId)!);
          newBlockId.set(slice.blockId, id);
        }
        return { ...slice, blockId: id };
      });
      merged.set(stagedKey + c.id, { size: c.size, crc32: c.crc32, slices });
    }
    const contentKey = (e: StoredEntry) => (e.contentId === null ? null : (twinOf.get(e.contentId) ?? stagedKey + e.contentId));
    const entries: EntryRecord[] = [...kept, ...added.map((e) => ({ ...e, contentId: contentKey(e) }))];
    const edited = rebuildCatalog(entries, merged);
    editor.deleteBlocks([...target.blocks().values()].filter((b) => b.role === 'data' && !edited.liveBlocks.has(b.id)).map((b) => b.id));
    editor.writeCatalog(edited.entries, edited.contents);
    editor.mergeHeader(target.header, source.header);
    throwIfAborted(options.signal);
    editor.commit();
    editor = null;
    return {
      archivePath,
      added: added.length - (existing.length - kept.length),
      replaced: existing.length - kept.length,
      reusedContents: twinOf.size,
      archiveBytes: fs.statSync(archivePath).size,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    editor?.close();
    source?.close();
    target.close();
    removeDatabaseQuietly(staging);
  }
}
