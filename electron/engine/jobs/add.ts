// add: new files and folders into an existing archive, in one transaction. The inputs are first compressed
// into a staging archive beside the target (the same create pipeline, presets and dedup), then its contents and
// entries are copied in; contents the archive already holds are referenced, not copied. An entry whose path
// already exists is replaced. Nothing in the archive changes until the final commit.
import fs from 'node:fs';
import path from 'node:path';
import type { AddOptions, AddSummary, Preset } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { ArchiveEditor } from '../format/archive-editor.ts';
import { ArchiveReader } from '../format/reader.ts';
import type { StoredEntry } from '../format/records.ts';
import { removeDatabaseQuietly, removeStaleTempFilesIn, tempPathBeside } from '../fs/temp-file.ts';
import { DEFAULT_PRESET, PRESETS } from '../presets.ts';
import { createArchive } from './create.ts';
import { assertEntriesSafe, printable } from './entry-checks.ts';

export async function addToArchive(options: AddOptions): Promise<AddSummary> {
  const started = performance.now();
  const archivePath = path.resolve(options.cwd ?? process.cwd(), options.archivePath);
  removeStaleTempFilesIn(path.dirname(archivePath));
  const target = ArchiveReader.open(archivePath);
  let existing: StoredEntry[];
  let cipher;
  try {
    await target.unlock(options.password);
    existing = target.entries();
    cipher = target.cipher;
  } finally {
    target.close();
  }
  const recorded = target.header.preset;
  const preset: Preset = options.preset ?? (recorded !== null && recorded in PRESETS ? (recorded as Preset) : DEFAULT_PRESET);

  const staging = tempPathBeside(archivePath);
  let editor: ArchiveEditor | null = null;
  let source: ArchiveReader | null = null;
  try {
    await createArchive({
      archivePath: staging,
      inputs: options.inputs,
      cwd: options.cwd,
      preset,
      password: cipher ? options.password : undefined,
      encryptNames: cipher?.namesEncrypted ?? false,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    source = ArchiveReader.open(staging);
    await source.unlock(options.password);
    const added = source.entries();
    const addedContents = source.contents();

    // The archive as it will be: every path once, no entry under a file or a link.
    const addedPaths = new Set(added.map((e) => e.path));
    const replaced = existing.filter((e) => addedPaths.has(e.path));
    try {
      assertEntriesSafe([...existing.filter((e) => !addedPaths.has(e.path)), ...added], archivePath);
    } catch (err) {
      if (!(err instanceof OctozipError)) throw err;
      throw new OctozipError('exists', `Cannot add: ${err.message.replace(/^Refusing to extract:? ?/, '')}`, { subject: archivePath });
    }

    throwIfAborted(options.signal);
    editor = ArchiveEditor.open(archivePath, cipher);
    editor.deleteEntries(replaced.map((e) => e.id));
    const contentMap = new Map<number, number>();
    let reused = 0;
    for (const entry of added) {
      if (entry.contentId === null || contentMap.has(entry.contentId)) continue;
      const content = addedContents.get(entry.contentId);
      if (!content) throw new OctozipError('damaged', `The staged content of "${printable(entry.path)}" is missing.`);
      throwIfAborted(options.signal);
      const twin = editor.findContent(content.sha256);
      if (twin !== null) reused++;
      contentMap.set(entry.contentId, twin ?? editor.importContent(source, content, source.chunksOf(content.id), content.sha256));
    }
    for (const entry of added) {
      const contentId = entry.contentId === null ? null : contentMap.get(entry.contentId)!;
      const sha = entry.contentId === null ? undefined : addedContents.get(entry.contentId)?.sha256;
      editor.addEntry({ ...entry, contentId }, sha);
    }
    editor.collectGarbage();
    editor.mergeHeader(target.header, source.header);
    throwIfAborted(options.signal);
    editor.commit();
    editor = null;
    return {
      archivePath,
      added: added.length - replaced.length,
      replaced: replaced.length,
      reusedContents: reused,
      archiveBytes: fs.statSync(archivePath).size,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    editor?.close();
    source?.close();
    removeDatabaseQuietly(staging);
  }
}
