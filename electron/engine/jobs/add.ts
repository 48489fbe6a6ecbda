// add: new files and folders into an existing archive, in one transaction. The inputs are first compressed into
// a staging archive beside the target (the same create pipeline, presets, kinds and solid blocks, sealed with
// the target's own keys), then its blocks are copied in as they are and the catalog is rewritten. Blocks already
// in the archive are never recoded. A new file whose bytes the archive already holds is found before staging
// and only referenced. An entry
// whose path already exists is replaced. Nothing in the archive changes until the final commit.
import fs from 'node:fs';
import path from 'node:path';
import type { AddOptions, AddSummary } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { crc32 } from '../format/checksum.ts';
import { ArchiveEditor } from '../format/archive-editor.ts';
import { ArchiveReader } from '../format/reader.ts';
import type { ContentRecord, EntryRecord, StoredEntry } from '../format/records.ts';
import { removeDatabaseQuietly, removeStaleTempFilesIn, tempPathBeside } from '../fs/temp-file.ts';
import { archiveSettings } from '../presets.ts';
import { BlockDecoder } from './block-decoder.ts';
import { rebuildCatalog } from './catalog-edit.ts';
import { streamContents } from './content-stream.ts';
import { createArchiveWithSettings } from './create.ts';
import { assertEntriesSafe } from './entry-checks.ts';
import { scanInputs, type ScannedEntry } from './scan.ts';

/** Contents larger than this are not compared byte for byte to find a duplicate; they are simply stored. */
const DEDUP_COMPARE_MAX_BYTES = 64 * 1024 * 1024;

/** A content's bytes, decoded (only for duplicate checks, bounded by DEDUP_COMPARE_MAX_BYTES). */
async function contentBytes(reader: ArchiveReader, content: ContentRecord, signal?: AbortSignal): Promise<Buffer> {
  const decoder = new BlockDecoder(reader, signal, 0);
  try {
    const parts: Uint8Array[] = [];
    for await (const event of streamContents(reader, decoder, [content], { wholeBlocks: false, threads: 1 })) {
      if (event.error) throw event.error;
      parts.push(event.bytes);
    }
    return Buffer.concat(parts);
  } finally {
    await decoder.close();
  }
}

/**
 * Input files whose bytes the archive already holds, by source path: same size and CRC-32 as a stored content,
 * then compared byte for byte with it (bounded by DEDUP_COMPARE_MAX_BYTES).
 */
async function findStoredTwins(
  target: ArchiveReader,
  stored: Map<number, ContentRecord>,
  options: AddOptions,
  exclude: string[],
): Promise<Map<string, { entry: ScannedEntry; contentId: number }>> {
  const bySize = new Map<number, ContentRecord[]>();
  for (const c of stored.values()) {
    if (c.size === 0 || c.size > DEDUP_COMPARE_MAX_BYTES) continue;
    let list = bySize.get(c.size);
    if (!list) bySize.set(c.size, (list = []));
    list.push(c);
  }
  const twins = new Map<string, { entry: ScannedEntry; contentId: number }>();
  if (bySize.size === 0) return twins;
  const { entries } = await scanInputs(options.inputs, options.cwd ?? process.cwd(), (p) => exclude.includes(p), options.signal);
  for (const entry of entries) {
    const candidates = entry.type === 'file' ? bySize.get(entry.size) : undefined;
    if (!candidates) continue;
    throwIfAborted(options.signal);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(entry.sourcePath);
    } catch {
      continue; // create reports an unreadable input with its own message
    }
    const crc = crc32(bytes);
    for (const candidate of candidates) {
      if (candidate.crc32 === crc && bytes.equals(await contentBytes(target, candidate, options.signal))) {
        twins.set(entry.sourcePath, { entry, contentId: candidate.id });
        break;
      }
    }
  }
  return twins;
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
    const { preset, settings } = archiveSettings(target.header, options.preset);

    // New files whose bytes the archive already holds (same size and CRC-32, then the same bytes) are found before
    // staging, so they are referenced instead of coded into a staged block beside genuinely new files.
    const twins = await findStoredTwins(target, existingContents, options, [archivePath, staging]);
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
      settings,
      { skip: new Set(twins.keys()), codecParams: target.header.codecParams, ...(cipher ? { cipher } : {}) },
    );
    source = ArchiveReader.open(staging);
    await source.unlock(options.password);
    const added = source.entries();
    const addedContents = source.contents();

    const twinEntries: EntryRecord[] = [...twins.values()].map(({ entry, contentId }) => ({
      path: entry.entryPath,
      type: 'file',
      mode: entry.mode,
      mtimeMs: entry.mtimeMs,
      size: entry.size,
      contentId,
      linkTarget: null,
    }));
    // The archive as it will be: every path once, no entry under a file or a link.
    const addedPaths = new Set([...added, ...twinEntries].map((e) => e.path));
    const kept = existing.filter((e) => !addedPaths.has(e.path));
    try {
      assertEntriesSafe([...kept, ...added, ...twinEntries.map((e, i) => ({ ...e, id: -1 - i, metaIntact: true }))], archivePath);
    } catch (err) {
      if (!(err instanceof OctozipError)) throw err;
      throw new OctozipError('exists', `Cannot add: ${err.message.replace(/^Refusing to extract:? ?/, '')}`, { subject: archivePath });
    }

    throwIfAborted(options.signal);
    editor = ArchiveEditor.open(archivePath, cipher);
    // Staged blocks holding any new bytes are copied in; content keys past the existing ids name staged contents.
    const stagedKey = Math.max(-1, ...existingContents.keys()) + 1;
    const newBlockId = new Map<number, number>();
    const merged = new Map<number, Omit<ContentRecord, 'id' | 'sha256' | 'packedSize'>>(existingContents);
    for (const c of addedContents.values()) {
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
    const contentKey = (e: StoredEntry) => (e.contentId === null ? null : stagedKey + e.contentId);
    const entries: EntryRecord[] = [...kept, ...added.map((e) => ({ ...e, contentId: contentKey(e) })), ...twinEntries];
    const edited = rebuildCatalog(entries, merged);
    editor.deleteBlocks([...target.blocks().values()].filter((b) => b.role === 'data' && !edited.liveBlocks.has(b.id)).map((b) => b.id));
    editor.writeCatalog(edited.entries, edited.contents);
    editor.mergeHeader(target.header, source.header);
    throwIfAborted(options.signal);
    editor.commit();
    editor = null;
    return {
      archivePath,
      added: added.length + twinEntries.length - (existing.length - kept.length),
      replaced: existing.length - kept.length,
      reusedContents: new Set(twinEntries.map((e) => e.contentId)).size,
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
