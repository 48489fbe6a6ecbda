// create: inputs on disk -> scan -> chunks -> batches -> every candidate codec -> smallest payload -> archive.
// Memory stays bounded by one batch (raw bytes plus each codec's output) whatever the input size.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CodecId, CreateOptions, CreateSummary, ModelRef } from '../api.ts';
import type { Codec } from '../codecs/codec.ts';
import { isCodecAvailable, loadCodec } from '../codecs/registry.ts';
import { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { crc32 } from '../format/checksum.ts';
import { FORMAT_VERSION } from '../format/schema.ts';
import { writeErrorFor } from '../fs/write-error.ts';
import { ArchiveWriter } from '../format/writer.ts';
import { fsyncDirectory, fsyncFile, removeDatabaseQuietly, removeStaleTempFiles, tempNamePrefix, tempPathBeside } from '../fs/temp-file.ts';
import { DEFAULT_PRESET, PRESETS, type PresetSettings } from '../presets.ts';
import { BATCH_MAX_BYTES, BATCH_MAX_CHUNKS } from './batch-limits.ts';
import { ProgressTracker } from './progress.ts';
import { scanInputs, type ScannedEntry } from './scan.ts';

import { CREATOR } from '../version.ts';

const MiB = 1024 * 1024;
/** Archives up to this size are VACUUMed before the rename (repacks b-tree pages); larger ones skip the rewrite. */
const VACUUM_LIMIT_BYTES = 256 * MiB;

interface PendingChunk {
  contentId: number;
  seq: number;
  rawOffset: number;
  raw: Buffer;
}

/** Picks the codecs to try; a preset naming a codec this build lacks falls back to brotli, with a note. */
async function loadEncoders(settings: PresetSettings, notes: string[]): Promise<Codec[]> {
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
  return Promise.all(ids.map((id) => loadCodec(id, { settings })));
}

async function readFully(handle: fs.promises.FileHandle, buffer: Buffer): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
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

async function sha256OfFile(entry: ScannedEntry, signal?: AbortSignal): Promise<string> {
  const hash = crypto.createHash('sha256');
  const handle = await fs.promises.open(entry.sourcePath, 'r');
  try {
    const buffer = Buffer.allocUnsafe(MiB);
    for (;;) {
      throwIfAborted(signal);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export async function createArchive(options: CreateOptions): Promise<CreateSummary> {
  const preset = options.preset ?? DEFAULT_PRESET;
  const settings = PRESETS[preset];
  if (!settings) throw new OctozipError('input', `Unknown preset "${preset}"; use fast, balanced or maximum.`);
  return createArchiveWithSettings({ ...options, preset }, settings);
}

/** createArchive with explicit settings: tests use tiny chunks to exercise multi-chunk files cheaply. */
export async function createArchiveWithSettings(options: CreateOptions, settings: PresetSettings): Promise<CreateSummary> {
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
    (p) => p === archivePath || (path.dirname(p) === archiveDir && path.basename(p).startsWith(tempPrefix)),
    signal,
  );
  notes.push(...scanNotes);

  const files = entries.filter((e) => e.type === 'file');
  const rawBytes = files.reduce((sum, e) => sum + e.size, 0);
  // Only files whose size another file shares can be duplicates; only those are hashed before compressing.
  const filesPerSize = new Map<number, number>();
  for (const f of files) filesPerSize.set(f.size, (filesPerSize.get(f.size) ?? 0) + 1);

  const progress = new ProgressTracker(options.onProgress, 'compress', { bytes: rawBytes, entries: entries.length });
  progress.packedBytes = 0;
  progress.packedRawBytes = 0;
  progress.emit(true);

  // Before any file is written: an unusable password fails here, and the KDF runs once for the whole archive.
  const cipher =
    options.password !== undefined ? await ArchiveCipher.create(options.password, { encryptNames: options.encryptNames ?? false }) : null;
  const encoders = await loadEncoders(settings, notes);
  const tempPath = tempPathBeside(archivePath);
  let writer: ArchiveWriter | null = null;
  try {
    writer = ArchiveWriter.create(tempPath, cipher);
    const out = writer;
    const rawBytesByCodec: Partial<Record<CodecId, number>> = {};
    const usedCodecs = new Set<CodecId>();
    let packedBytes = 0;
    let packedRawBytes = 0;
    let classicalBytes = 0;
    let batch: PendingChunk[] = [];
    let batchBytes = 0;

    const flush = async () => {
      if (batch.length === 0) return;
      const raws = batch.map((c) => c.raw);
      // All candidate codecs at once: brotli runs on libuv's thread pool while the mixing codecs use this thread.
      const results = await Promise.all(
        encoders.map(async (codec) => ({ id: codec.id, payloads: (await codec.encodeBatch(raws, signal)).map((e) => e.payload) })),
      );
      throwIfAborted(signal);
      batch.forEach((chunk, i) => {
        // Ties go to store: same size, no decode work.
        let best: { id: CodecId; payload: Uint8Array } = { id: 'store', payload: chunk.raw };
        for (const r of results) if (r.payloads[i].length < best.payload.length) best = { id: r.id, payload: r.payloads[i] };
        const brotli = results.find((r) => r.id === 'brotli')?.payloads[i].length ?? chunk.raw.length;
        classicalBytes += Math.min(brotli, chunk.raw.length);
        packedBytes += out.addChunk({
          contentId: chunk.contentId,
          seq: chunk.seq,
          rawOffset: chunk.rawOffset,
          rawSize: chunk.raw.length,
          codec: best.id,
          rawCrc32: crc32(chunk.raw),
          payload: best.payload,
        });
        rawBytesByCodec[best.id] = (rawBytesByCodec[best.id] ?? 0) + chunk.raw.length;
        packedRawBytes += chunk.raw.length;
        usedCodecs.add(best.id);
      });
      batch = [];
      batchBytes = 0;
      progress.packedBytes = packedBytes;
      progress.packedRawBytes = packedRawBytes;
      progress.emit();
    };

    const contentBySha = new Map<string, number>();
    const chunkBytes = settings.chunkBytes;

    for (const entry of entries) {
      throwIfAborted(signal);
      progress.currentEntry = entry.entryPath;
      const record = {
        path: entry.entryPath,
        type: entry.type,
        mode: entry.mode,
        mtimeMs: entry.mtimeMs,
        size: entry.size,
        contentId: null as number | null,
        linkTarget: entry.linkTarget,
      };
      if (entry.type !== 'file') {
        out.addEntry(record);
        progress.entriesDone++;
        progress.emit();
        continue;
      }
      let expectedSha: string | null = null;
      if ((filesPerSize.get(entry.size) ?? 0) > 1) {
        expectedSha = await sha256OfFile(entry, signal);
        const twin = contentBySha.get(expectedSha);
        if (twin !== undefined) {
          out.addEntry({ ...record, contentId: twin });
          progress.bytesDone += entry.size;
          progress.entriesDone++;
          progress.emit();
          continue;
        }
      }
      const contentId = out.beginContent(entry.size);
      out.addEntry({ ...record, contentId });
      const hash = crypto.createHash('sha256');
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(entry.sourcePath, 'r');
      } catch (err) {
        throw new OctozipError('input', `Cannot read ${entry.sourcePath}: ${(err as Error).message}`, {
          subject: entry.sourcePath,
          cause: err,
        });
      }
      let seq = 0;
      try {
        let offset = 0;
        while (offset < entry.size) {
          throwIfAborted(signal);
          const raw = Buffer.allocUnsafe(Math.min(chunkBytes, entry.size - offset));
          if ((await readFully(handle, raw)) < raw.length) throw changedWhileReading(entry);
          hash.update(raw);
          batch.push({ contentId, seq, rawOffset: offset, raw });
          batchBytes += raw.length;
          offset += raw.length;
          seq++;
          progress.bytesDone += raw.length;
          if (batch.length >= BATCH_MAX_CHUNKS || batchBytes >= BATCH_MAX_BYTES) await flush();
        }
        if ((await readFully(handle, Buffer.allocUnsafe(1))) !== 0) throw changedWhileReading(entry);
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      if (expectedSha !== null && expectedSha !== sha256) throw changedWhileReading(entry);
      out.finishContent(contentId, sha256, seq);
      contentBySha.set(sha256, contentId);
      progress.entriesDone++;
      progress.emit();
    }
    await flush();
    throwIfAborted(signal);

    const models = new Map<string, ModelRef>();
    const codecParams: Record<string, Record<string, unknown>> = {};
    for (const codec of encoders) {
      if (!usedCodecs.has(codec.id)) continue;
      codecParams[codec.id] = { ...codec.params };
      for (const m of codec.models) models.set(`${m.name}\0${m.sha256}`, { name: m.name, sha256: m.sha256 });
    }
    out.writeHeader({
      formatVersion: FORMAT_VERSION,
      creator: CREATOR,
      createdAt: new Date().toISOString(),
      preset,
      chunkBytes,
      codecParams,
      models: [...models.values()],
      encryption: cipher ? { ...cipher.record } : null,
    });

    progress.phase = 'finalize';
    progress.currentEntry = null;
    progress.emit(true);
    out.finish({ vacuum: fs.statSync(tempPath).size <= VACUUM_LIMIT_BYTES });
    writer = null;
    throwIfAborted(signal);
    fsyncFile(tempPath);
    fs.renameSync(tempPath, archivePath);
    fsyncDirectory(archiveDir);

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
    try {
      writer?.close();
    } catch {
      // A database that failed mid-write (disk full) may refuse a clean close; the file goes anyway.
    }
    removeDatabaseQuietly(tempPath);
    throw writeErrorFor(err, archivePath);
  } finally {
    await Promise.all(encoders.map((c) => c.close?.()));
  }
}
