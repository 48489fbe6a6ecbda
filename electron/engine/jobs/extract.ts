// extract: archive -> checked entries -> folders -> files (the blocks they lie in decoded in order, each only as far
// as the last wanted byte; every file written to a temp name, then renamed) -> symbolic links -> folder modes and
// times. Nothing is ever written through a symbolic link, and a file only appears under its name once all its
// bytes matched their checksums.
import fs from 'node:fs';
import path from 'node:path';
import type { ConflictPolicy, ExtractOptions, ExtractSummary } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { destinationPath } from '../format/entry-path.ts';
import { ArchiveReader } from '../format/reader.ts';
import { ExtractBudget, resolveExtractLimits } from '../limits.ts';
import type { ContentRecord, StoredEntry } from '../format/records.ts';
import { removeQuietly, removeStaleTempFilesIn, tempPathBeside } from '../fs/temp-file.ts';
import { BlockDecoder } from './block-decoder.ts';
import { ContentCheck, streamContents } from './content-stream.ts';
import { codingThreads } from './coding-threads.ts';
import { assertEntriesSafe, printable } from './entry-checks.ts';
import { ProgressTracker } from './progress.ts';


/** Entries the caller asked for: a named directory selects everything under it. */
export function selectEntries(entries: StoredEntry[], wanted: string[] | undefined): StoredEntry[] {
  if (!wanted || wanted.length === 0) return entries;
  const names = wanted.map((w) => w.replace(/^(\.\/)+/, '').replace(/\/+$/, ''));
  for (const name of names) {
    if (!entries.some((e) => e.path === name || e.path.startsWith(`${name}/`))) {
      throw new OctozipError('input', `The archive has no entry "${name}".`, { subject: name });
    }
  }
  return entries.filter((e) => names.some((n) => e.path === n || e.path.startsWith(`${n}/`)));
}

/** The file's content record, checked against the entry. */
export function contentOf(entry: StoredEntry, contents: Map<number, ContentRecord>, archivePath: string): ContentRecord {
  const content = entry.contentId === null ? undefined : contents.get(entry.contentId);
  if (!content || content.size !== entry.size) {
    throw new OctozipError('damaged', `The content of "${printable(entry.path)}" is missing or the wrong size.`, {
      subject: archivePath,
    });
  }
  return content;
}

/**
 * Seconds for utimes from whole milliseconds. Half a microsecond on top keeps the double's rounding
 * (about 0.24 us at today's epoch) from landing a millisecond early.
 */
function utimeSeconds(mtimeMs: number): number {
  return (mtimeMs + 0.0005) / 1000;
}

class SafeTree {
  readonly root: string;
  readonly #checked = new Set<string>();

  constructor(root: string) {
    this.root = root;
    removeStaleTempFilesIn(root);
  }

  /** Makes sure every folder above `entryPath` is a real folder inside root (never a link), creating them. */
  ensureParents(entryPath: string): void {
    const segments = entryPath.split('/');
    for (let i = 1; i < segments.length; i++) this.ensureDirectory(segments.slice(0, i).join('/'), false);
  }

  ensureDirectory(entryPath: string, replaceNonDirectory: boolean): void {
    if (this.#checked.has(entryPath)) return;
    const full = destinationPath(this.root, entryPath);
    const stat = fs.lstatSync(full, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) {
      throw new OctozipError('unsafe-path', `Refusing to write through the symbolic link ${full}.`, { subject: full });
    }
    if (stat && !stat.isDirectory()) {
      if (!replaceNonDirectory) {
        throw new OctozipError('exists', `${full} exists and is not a folder; move it away or extract with overwrite.`, {
          subject: full,
        });
      }
      fs.rmSync(full);
    }
    if (!stat || !stat.isDirectory()) fs.mkdirSync(full);
    // Temp files a killed earlier extraction left here (clearly named, their process gone).
    else removeStaleTempFilesIn(full);
    this.#checked.add(entryPath);
  }
}

/** Where an entry goes given the conflict policy, or null to skip it. */
function resolveConflict(finalPath: string, policy: ConflictPolicy): { path: string; renamed: boolean } | null {
  const stat = fs.lstatSync(finalPath, { throwIfNoEntry: false });
  if (!stat) return { path: finalPath, renamed: false };
  if (policy === 'skip') return null;
  if (policy === 'overwrite') {
    if (stat.isDirectory()) {
      throw new OctozipError('exists', `${finalPath} is a folder; it is never replaced by a file.`, { subject: finalPath });
    }
    return { path: finalPath, renamed: false };
  }
  const ext = path.extname(finalPath);
  const stem = finalPath.slice(0, finalPath.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!fs.lstatSync(candidate, { throwIfNoEntry: false })) return { path: candidate, renamed: true };
  }
}

/**
 * One file being written: a temp file beside its destination, renamed into place once its content checked out.
 * Its calls are synchronous on purpose: each asynchronous one is a round trip through libuv's thread pool, and a
 * tree of small files made six per file (extracting curl's 4,449 files: 88,000 futex calls, 3 s of system time).
 * The engine runs off the UI (a utility process in the app); each call writes one decoded piece or sets metadata.
 */
class FileSink {
  readonly #entry: StoredEntry;
  readonly #finalPath: string;
  readonly #tempPath: string;
  #fd: number | null;

  private constructor(entry: StoredEntry, finalPath: string, tempPath: string, fd: number) {
    this.#entry = entry;
    this.#finalPath = finalPath;
    this.#tempPath = tempPath;
    this.#fd = fd;
  }

  static open(entry: StoredEntry, finalPath: string): FileSink {
    const tempPath = tempPathBeside(finalPath);
    return new FileSink(entry, finalPath, tempPath, fs.openSync(tempPath, 'wx', 0o600));
  }

  write(bytes: Uint8Array): void {
    const fd = this.#fd!;
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
  }

  /** Restores attributes and renames into place; on any failure the temp file is removed. */
  finish(): void {
    try {
      const fd = this.#fd!;
      // Permission bits only: set-user-ID and friends are never restored from an archive.
      fs.fchmodSync(fd, this.#entry.mode & 0o777);
      const seconds = utimeSeconds(this.#entry.mtimeMs);
      fs.futimesSync(fd, seconds, seconds);
      this.#fd = null;
      fs.closeSync(fd);
      fs.renameSync(this.#tempPath, this.#finalPath);
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  abort(): void {
    if (this.#fd !== null) {
      try {
        fs.closeSync(this.#fd);
      } catch {
        // Closing is all that is left to do with it; the temp file goes next either way.
      }
      this.#fd = null;
    }
    removeQuietly(this.#tempPath);
  }
}

/** More files than this being written at once means a crafted archive (see the extraction loop). */
const MAX_OPEN_CONTENTS = 256;


/** The data blocks the given contents lie in, and their raw bytes. */
export function blocksOf(reader: ArchiveReader, contents: Iterable<ContentRecord>): { blocks: number; bytes: number } {
  const ids = new Set<number>();
  for (const c of contents) for (const s of c.slices) ids.add(s.blockId);
  const all = reader.blocks();
  return { blocks: ids.size, bytes: [...ids].reduce((sum, id) => sum + (all.get(id)?.rawSize ?? 0), 0) };
}

interface FileTarget {
  entry: StoredEntry;
  content: ContentRecord;
  finalPath: string;
}

export async function extractArchive(options: ExtractOptions): Promise<ExtractSummary> {
  const started = performance.now();
  const { signal } = options;
  const budget = new ExtractBudget(resolveExtractLimits(options.limits), path.resolve(options.archivePath));
  const policy: ConflictPolicy = options.conflict ?? 'skip';
  const archivePath = path.resolve(options.archivePath);
  const reader = ArchiveReader.open(archivePath);
  let decoder: BlockDecoder | null = null;
  /** Files being written, by content: identical files share a content and are written side by side. */
  const open = new Map<number, FileSink[]>();
  try {
    await reader.unlock(options.password);
    const all = reader.entries();
    const damagedEntry = all.find((e) => !e.metaIntact);
    if (damagedEntry) {
      throw new OctozipError('damaged', `The name or attributes of entry "${printable(damagedEntry.path)}" are damaged.`, {
        subject: archivePath,
      });
    }
    assertEntriesSafe(all, archivePath);
    const selected = selectEntries(all, options.entries);
    const contents = reader.contents();
    const totalBytes = selected.reduce((sum, e) => sum + (e.type === 'file' ? e.size : 0), 0);
    let packedBytes = 0;
    for (const id of new Set(selected.map((e) => e.contentId))) packedBytes += id === null ? 0 : (contents.get(id)?.packedSize ?? 0);
    // Refused before the destination is even created: a bomb or a lying archive writes nothing.
    budget.checkDeclared(selected.length, totalBytes, packedBytes);

    fs.mkdirSync(options.destDir, { recursive: true });
    const tree = new SafeTree(fs.realpathSync(options.destDir));
    const progress = new ProgressTracker(options.onProgress, 'extract', { bytes: totalBytes, entries: selected.length });
    progress.emit(true);
    const summary = { written: 0, skipped: 0, renamed: 0, bytes: 0 };

    // Folders first, parents before children (a crafted archive may list them in any order).
    const directories = selected
      .filter((e) => e.type === 'directory')
      .sort((a, b) => a.path.split('/').length - b.path.split('/').length);
    for (const dir of directories) {
      throwIfAborted(signal);
      tree.ensureParents(dir.path);
      tree.ensureDirectory(dir.path, policy === 'overwrite');
      progress.entriesDone++;
    }

    // Files: decide each destination before decoding, so skipped files cost nothing.
    const targets: FileTarget[] = [];
    for (const entry of selected) {
      if (entry.type !== 'file') continue;
      const content = contentOf(entry, contents, archivePath);
      tree.ensureParents(entry.path);
      const resolved = resolveConflict(destinationPath(tree.root, entry.path), policy);
      if (!resolved) {
        summary.skipped++;
        progress.entriesDone++;
        continue;
      }
      if (resolved.renamed) summary.renamed++;
      targets.push({ entry, content, finalPath: resolved.path });
    }

    const targetsByContent = new Map<number, FileTarget[]>();
    for (const target of targets) {
      const list = targetsByContent.get(target.content.id) ?? [];
      list.push(target);
      targetsByContent.set(target.content.id, list);
    }
    const checks = new Map<number, ContentCheck>();
    const wanted = [...targetsByContent.values()].map((list) => list[0]!.content);
    const needed = blocksOf(reader, wanted);
    const threads = codingThreads(options.threads, needed.blocks, needed.bytes);
    decoder = new BlockDecoder(reader, signal, threads);
    let written = 0;
    const events = streamContents(reader, decoder, wanted, {
      wholeBlocks: false,
      threads,
      // Never backwards: a block's estimate leaves the sum just before its bytes are written.
      onPartial: (bytes) => {
        progress.bytesDone = Math.max(progress.bytesDone, written + bytes);
        progress.emit();
      },
      onBlockDecoded: (block) => budget.addPacked(block.payloadSize),
    });
    for await (const event of events) {
      if (event.error) throw event.error;
      const { content, bytes, last } = event;
      const sameContent = targetsByContent.get(content.id)!;
      let sinks = open.get(content.id);
      if (!sinks) {
        // Legit archives keep one content (two at a block border) in flight; a crafted one could interleave
        // thousands and exhaust file handles.
        if (open.size >= MAX_OPEN_CONTENTS) throw new OctozipError('damaged', 'The archive interleaves too many files.', { subject: archivePath });
        sinks = [];
        open.set(content.id, sinks);
        for (const target of sameContent) sinks.push(FileSink.open(target.entry, target.finalPath));
        checks.set(content.id, new ContentCheck(content));
        progress.currentEntry = sameContent[0]!.entry.path;
      }
      checks.get(content.id)!.update(bytes);
      budget.addOutput(bytes.length * sinks.length);
      for (const sink of sinks) sink.write(bytes);
      written += bytes.length * sinks.length;
      progress.bytesDone = Math.max(progress.bytesDone, written);
      progress.emit();
      if (!last) continue;
      open.delete(content.id);
      if (!checks.get(content.id)!.matches()) {
        for (const sink of sinks) sink.abort();
        throw new OctozipError('damaged', `"${printable(sameContent[0]!.entry.path)}" does not match its checksum; it was not written.`, {
          subject: sameContent[0]!.entry.path,
        });
      }
      checks.delete(content.id);
      while (sinks.length > 0) {
        sinks[0]!.finish();
        sinks.shift();
        summary.written++;
        summary.bytes += content.size;
        progress.entriesDone++;
      }
      progress.emit();
    }

    // Links last: no file or folder is ever written through a link this archive created.
    for (const entry of selected) {
      if (entry.type !== 'symlink') continue;
      throwIfAborted(signal);
      tree.ensureParents(entry.path);
      const resolved = resolveConflict(destinationPath(tree.root, entry.path), policy);
      if (!resolved) {
        summary.skipped++;
        continue;
      }
      const temp = tempPathBeside(resolved.path);
      fs.symlinkSync(entry.linkTarget!, temp);
      try {
        const seconds = utimeSeconds(entry.mtimeMs);
        fs.lutimesSync(temp, seconds, seconds);
        fs.renameSync(temp, resolved.path);
      } catch (err) {
        removeQuietly(temp);
        throw err;
      }
      if (resolved.renamed) summary.renamed++;
      summary.written++;
      progress.entriesDone++;
    }

    // Folder modes and times last, deepest first: writing inside a folder changes its mtime.
    for (const dir of [...directories].reverse()) {
      const full = destinationPath(tree.root, dir.path);
      fs.chmodSync(full, dir.mode & 0o777);
      const seconds = utimeSeconds(dir.mtimeMs);
      fs.utimesSync(full, seconds, seconds);
    }
    summary.written += directories.length;
    progress.currentEntry = null;
    progress.emit(true);
    return { ...summary, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    for (const sinks of open.values()) for (const sink of sinks) sink.abort();
    if (err instanceof OctozipError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new OctozipError('io', `Extraction failed: ${e.message}`, { subject: e.path ?? archivePath, cause: err });
  } finally {
    await decoder?.close();
    reader.close();
  }
}
