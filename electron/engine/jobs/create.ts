// create: inputs on disk -> scan -> identical files found -> kinds -> solid plan -> blocks read in plan order,
// coded (several at once, on worker threads) and written in plan order -> catalog -> header -> rename.
// Memory stays bounded by the blocks in flight whatever the input size, and the archive's bytes do not depend on
// the thread count.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CodecId, CreateOptions, CreateSummary } from '../api.ts';
import { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { crc32 } from '../format/checksum.ts';
import type { CatalogContent, EntryRecord } from '../format/records.ts';
import { FORMAT_VERSION } from '../format/schema.ts';
import { writeErrorFor } from '../fs/write-error.ts';
import { ArchiveWriter } from '../format/writer.ts';
import { publishTempFile, removeStaleTempFiles, tempNamePrefix, tempPathBeside } from '../fs/temp-file.ts';
import { DEFAULT_PRESET, presetSettings, type PresetSettings } from '../presets.ts';
import { BlockEncoder, type EncodedBlock } from './block-encoder.ts';
import { kindFromBytes, kindFromName, SNIFF_BYTES, type FileKind } from './file-kinds.ts';
import { ProgressTracker } from './progress.ts';
import { AHEAD_BYTES, codingThreads } from './coding-threads.ts';
import { OrderedWork } from './ordered-work.ts';
import { scanInputs, type ScannedEntry } from './scan.ts';
import { planSolidBlocks, type BlockPlan, type SolidPlan } from './solid-plan.ts';

import { CREATOR } from '../version.ts';

const MiB = 1024 * 1024;
/** Archives up to this size are VACUUMed before the rename (repacks b-tree pages); larger ones skip the rewrite. */
const VACUUM_LIMIT_BYTES = 256 * MiB;

// Source files are read with synchronous calls: a tree is mostly small files, and an asynchronous call costs a
// round trip through libuv's thread pool per open, read and close, which made most of a many-file create idle
// time. Create runs in the CLI or the app's engine process, never on a thread that draws a window; the abort
// signal is checked between files and blocks.
function readFully(fd: number, buffer: Uint8Array): number {
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = fs.readSync(fd, buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

function changedWhileReading(entry: ScannedEntry): OctozipError {
  return new OctozipError('input', `${entry.sourcePath} changed while it was being archived; try again.`, {
    subject: entry.sourcePath,
  });
}

function openSource(entry: ScannedEntry): number {
  try {
    return fs.openSync(entry.sourcePath, 'r');
  } catch (err) {
    throw new OctozipError('input', `Cannot read ${entry.sourcePath}: ${(err as Error).message}`, { subject: entry.sourcePath, cause: err });
  }
}

const hashBuffer = Buffer.allocUnsafe(MiB);

function sha256OfFile(entry: ScannedEntry, signal?: AbortSignal): string {
  const hash = crypto.createHash('sha256');
  const fd = openSource(entry);
  try {
    for (;;) {
      throwIfAborted(signal);
      const bytesRead = fs.readSync(fd, hashBuffer, 0, hashBuffer.length, null);
      if (bytesRead === 0) break;
      hash.update(hashBuffer.subarray(0, bytesRead));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** The kind of a file: from its name, or else from its first bytes. */
function kindOf(entry: ScannedEntry): FileKind {
  const byName = kindFromName(entry.entryPath);
  if (byName || entry.size === 0) return byName ?? 'prose';
  const fd = openSource(entry);
  try {
    const head = new Uint8Array(Math.min(SNIFF_BYTES, entry.size));
    return kindFromBytes(head.subarray(0, readFully(fd, head)));
  } finally {
    fs.closeSync(fd);
  }
}

/** One unique content of the new archive: the file it is read from and, for files with twins, its SHA-256. */
interface SourceContent {
  source: ScannedEntry;
  /** Hashed up front when another file has the same size (only those can be duplicates). */
  sha256: string | null;
}

/**
 * Reads the plan's blocks from the source files, in order: a content spanning blocks keeps its file open from
 * one block to the next. Checks that every file still has the size the scan saw, and that a file hashed up front
 * still has that hash, and computes each content's CRC-32 for the catalog.
 */
class BlockSource {
  readonly #contents: SourceContent[];
  readonly #crcs: number[];
  readonly #signal: AbortSignal | undefined;
  #open: { content: number; fd: number; hash: crypto.Hash | null; done: number } | null = null;

  constructor(plan: SolidPlan, sources: SourceContent[], signal?: AbortSignal) {
    this.#contents = plan.contents.map((c) => sources[c.key]!);
    this.#crcs = new Array<number>(plan.contents.length).fill(0);
    this.#signal = signal;
  }

  crc32Of(content: number): number {
    return this.#crcs[content]!;
  }

  read(block: BlockPlan): Uint8Array {
    const raw = new Uint8Array(block.size);
    let at = 0;
    for (const piece of block.pieces) {
      throwIfAborted(this.#signal);
      const { source, sha256 } = this.#contents[piece.content]!;
      if (this.#open?.content !== piece.content) {
        this.close();
        this.#open = { content: piece.content, fd: openSource(source), hash: sha256 ? crypto.createHash('sha256') : null, done: 0 };
      }
      const open = this.#open!;
      const view = raw.subarray(at, at + piece.length);
      if (readFully(open.fd, view) < piece.length) throw changedWhileReading(source);
      this.#crcs[piece.content] = crc32(view, this.#crcs[piece.content]);
      open.hash?.update(view);
      open.done += piece.length;
      at += piece.length;
      if (open.done === source.size) {
        if (readFully(open.fd, new Uint8Array(1)) !== 0) throw changedWhileReading(source);
        if (open.hash && open.hash.digest('hex') !== sha256) throw changedWhileReading(source);
        this.close();
      }
    }
    return raw;
  }

  close(): void {
    const open = this.#open;
    this.#open = null;
    if (open) fs.closeSync(open.fd);
  }
}

export async function createArchive(options: CreateOptions): Promise<CreateSummary> {
  const preset = options.preset ?? DEFAULT_PRESET;
  return createArchiveWithSettings({ ...options, preset }, presetSettings(preset, options.blockBytes));
}

/** What only the engine passes: add codes its new files with the archive's own keys (so blocks copy over as they are). */
export interface CreateInternals {
  cipher?: ArchiveCipher;
  /** Source files left out (add stores them itself, as references to bytes the archive already holds). */
  skip?: ReadonlySet<string>;
  /**
   * The codec params of the archive the new blocks will join (add): each codec codes with what they name, so that
   * they stay true of every block (BlockEncoder.open); an archive made before the code and markup priors lists
   * only the English one.
   */
  codecParams?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** createArchive with explicit settings: tests use tiny blocks to exercise files spanning blocks cheaply. */
export async function createArchiveWithSettings(options: CreateOptions, settings: PresetSettings, internal: CreateInternals = {}): Promise<CreateSummary> {
  const started = performance.now();
  const { signal } = options;
  if (options.encryptNames && options.password === undefined) {
    throw new OctozipError('input', 'Encrypting names needs a password; give one, or leave names visible.');
  }
  const cwd = options.cwd ?? process.cwd();
  const archivePath = path.resolve(cwd, options.archivePath);
  const preset = options.preset ?? null;

  const existing = fs.statSync(archivePath, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    throw new OctozipError('exists', `${archivePath} is a folder; give a file name for the archive.`, { subject: archivePath });
  }
  if (existing && !options.overwrite) {
    throw new OctozipError('exists', `${archivePath} already exists; choose another name or allow overwriting.`, {
      subject: archivePath,
    });
  }
  const archiveDir = path.dirname(archivePath);
  if (!fs.statSync(archiveDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new OctozipError('io', `The folder ${archiveDir} does not exist.`, { subject: archivePath });
  }
  removeStaleTempFiles(archivePath);

  const notes: string[] = [];
  const tempPrefix = tempNamePrefix(archivePath);
  const { entries, notes: scanNotes } = await scanInputs(
    options.inputs,
    cwd,
    (p) => p === archivePath || (path.dirname(p) === archiveDir && path.basename(p).startsWith(tempPrefix)) || internal.skip?.has(p) === true,
    signal,
  );
  notes.push(...scanNotes);

  const files = entries.filter((e) => e.type === 'file');
  const rawBytes = files.reduce((sum, e) => sum + e.size, 0);
  const progress = new ProgressTracker(options.onProgress, 'compress', { bytes: rawBytes, entries: entries.length });
  progress.packedBytes = 0;
  progress.packedRawBytes = 0;
  progress.emit(true);

  // Identical files share one content. Only files whose size another file shares can be duplicates; only those
  // are hashed before compressing.
  const filesPerSize = new Map<number, number>();
  for (const f of files) filesPerSize.set(f.size, (filesPerSize.get(f.size) ?? 0) + 1);
  const sources: SourceContent[] = [];
  const sourceByEntry = new Map<ScannedEntry, number>();
  const sourceBySha = new Map<string, number>();
  for (const file of files) {
    throwIfAborted(signal);
    const sha256 = (filesPerSize.get(file.size) ?? 0) > 1 ? sha256OfFile(file, signal) : null;
    const twin = sha256 === null ? undefined : sourceBySha.get(sha256);
    if (twin !== undefined) {
      sourceByEntry.set(file, twin);
      continue;
    }
    sourceByEntry.set(file, sources.length);
    if (sha256 !== null) sourceBySha.set(sha256, sources.length);
    sources.push({ source: file, sha256 });
  }
  const planned = [];
  for (const [key, { source }] of sources.entries()) {
    throwIfAborted(signal);
    planned.push({ key, entryPath: source.entryPath, size: source.size, kind: kindOf(source) });
  }
  const plan = planSolidBlocks(planned, settings.blockBytes);
  const contentIdOfSource = new Array<number>(sources.length);
  plan.contents.forEach((c, id) => (contentIdOfSource[c.key] = id));

  // Before any file is written: an unusable password fails here, and the KDF runs once for the whole archive.
  const cipher =
    internal.cipher ??
    (options.password !== undefined ? await ArchiveCipher.create(options.password, { encryptNames: options.encryptNames ?? false }) : null);
  const threads = codingThreads(options.threads, plan.blocks.length, rawBytes);
  const encoder = await BlockEncoder.open(settings, threads, notes, internal.codecParams);
  const reader = new BlockSource(plan, sources, signal);
  const tempPath = tempPathBeside(archivePath);
  let writer: ArchiveWriter | null = null;
  try {
    writer = ArchiveWriter.create(tempPath, cipher);
    const out = writer;
    const rawBytesByCodec: Partial<Record<CodecId, number>> = {};
    let packedBytes = 0;
    /** null once a block was not tried with brotli (block-encoder.ts): then there is no honest comparison. */
    let classicalBytes: number | null = 0;
    const slices: CatalogContent['slices'][] = plan.contents.map(() => []);

    const write = (block: BlockPlan, raw: Uint8Array, encoded: EncodedBlock) => {
      const { id, storedSize } = out.addBlock({
        role: 'data',
        codec: encoded.codec,
        rawSize: raw.length,
        rawSha256: crypto.createHash('sha256').update(raw).digest(),
        payload: encoded.payload,
      });
      let offset = 0;
      for (const piece of block.pieces) {
        slices[piece.content]!.push({ blockId: id, offset, length: piece.length });
        offset += piece.length;
      }
      packedBytes += storedSize;
      classicalBytes = classicalBytes === null || encoded.classicalBytes === null ? null : classicalBytes + encoded.classicalBytes;
      rawBytesByCodec[encoded.codec] = (rawBytesByCodec[encoded.codec] ?? 0) + raw.length;
      // Bytes count as done once coded (not when read, which runs blocks ahead), so the rate and ETA are honest.
      coding.delete(block);
      finished += raw.length;
      progress.bytesDone = Math.max(progress.bytesDone, finished);
      progress.packedBytes = packedBytes;
      progress.packedRawBytes = finished;
      progress.entriesDone = Math.min(progress.entriesDone + block.pieces.length, entries.length);
      progress.emit();
    };

    // Blocks are read in order and coded up to `threads` at once (OrderedWork: a long block does not idle the other
    // threads); each is written as soon as the ones before it are, so block ids (and the archive) are the same
    // whatever the thread count.
    // Bytes coded so far inside blocks still in flight, so the bar moves within a block (an 8 MiB block takes
    // tens of seconds to code); never backwards.
    const coding = new Map<BlockPlan, number>();
    let finished = 0;
    const showCoding = () => {
      progress.bytesDone = Math.max(progress.bytesDone, finished + [...coding.values()].reduce((a, b) => a + b, 0));
      progress.emit();
    };
    const work = new OrderedWork(
      plan.blocks.length,
      async (i) => {
        throwIfAborted(signal);
        const block = plan.blocks[i]!;
        const raw = reader.read(block);
        progress.currentEntry = plan.contents[block.pieces[0]!.content]!.entryPath;
        progress.emit();
        const encoded = await encoder.encode(raw, block.kind, signal, (bytesDone) => {
          coding.set(block, bytesDone);
          showCoding();
        });
        return { block, raw, encoded };
      },
      { weight: (i) => plan.blocks[i]!.size, concurrency: threads, maxAheadBytes: AHEAD_BYTES },
    );
    while (work.remaining > 0) {
      const done = await work.next();
      write(done.block, done.raw, done.encoded);
    }
    reader.close();
    throwIfAborted(signal);

    const catalogEntries: EntryRecord[] = entries.map((e) => ({
      path: e.entryPath,
      type: e.type,
      mode: e.mode,
      mtimeMs: e.mtimeMs,
      size: e.size,
      contentId: e.type === 'file' ? contentIdOfSource[sourceByEntry.get(e)!]! : null,
      linkTarget: e.linkTarget,
    }));
    const catalogContents: CatalogContent[] = plan.contents.map((c, id) => ({ id, size: c.size, crc32: reader.crc32Of(id), slices: slices[id]! }));
    out.writeCatalog(catalogEntries, catalogContents);
    out.writeHeader({
      formatVersion: FORMAT_VERSION,
      creator: CREATOR,
      createdAt: new Date().toISOString(),
      preset,
      blockBytes: settings.blockBytes,
      ...encoder.headerRecords(),
      encryption: cipher ? { ...cipher.record } : null,
    });

    progress.phase = 'finalize';
    progress.currentEntry = null;
    progress.entriesDone = entries.length;
    progress.emit(true);
    out.finish({ vacuum: fs.statSync(tempPath).size <= VACUUM_LIMIT_BYTES });
    writer = null;
    throwIfAborted(signal);
    publishTempFile(tempPath, archivePath);

    const archiveBytes = fs.statSync(archivePath).size;
    return {
      archivePath,
      entries: entries.length,
      files: files.length,
      rawBytes,
      archiveBytes,
      packedBytes,
      bitsPerByte: rawBytes > 0 ? (archiveBytes * 8) / rawBytes : 0,
      rawBytesByCodec,
      classicalBytes,
      seconds: (performance.now() - started) / 1000,
      notes,
    };
  } catch (err) {
    ArchiveWriter.discard(writer, tempPath);
    throw writeErrorFor(err, archivePath);
  } finally {
    reader.close();
    await encoder.close();
  }
}
