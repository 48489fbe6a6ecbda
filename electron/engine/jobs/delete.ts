// delete: entries out of an existing archive, in one transaction. The catalog is rewritten without them; blocks
// that only they used are dropped (their pages go to SQLite's free list and are reused by later adds); blocks
// they shared with other files stay as they are, with dead bytes that `compact` reclaims. A named folder deletes
// everything under it.
import fs from 'node:fs';
import path from 'node:path';
import type { DeleteOptions, DeleteSummary } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { ArchiveEditor } from '../format/archive-editor.ts';
import { ArchiveReader } from '../format/reader.ts';
import { rebuildCatalog } from './catalog-edit.ts';
import { selectEntries } from './extract.ts';

export async function deleteFromArchive(options: DeleteOptions): Promise<DeleteSummary> {
  const started = performance.now();
  const archivePath = path.resolve(options.archivePath);
  if (options.entries.length === 0) throw new OctozipError('input', 'Name at least one entry to delete.');
  const reader = ArchiveReader.open(archivePath);
  let edited;
  let deadBlocks: number[];
  let deleted: number;
  let freedContents: number;
  try {
    await reader.unlock(options.password);
    ArchiveEditor.assertEditable(reader);
    const all = reader.entries();
    const gone = new Set(selectEntries(all, options.entries));
    const contents = reader.contents();
    edited = rebuildCatalog(all.filter((e) => !gone.has(e)), contents);
    deadBlocks = [...reader.blocks().values()].filter((b) => b.role === 'data' && !edited!.liveBlocks.has(b.id)).map((b) => b.id);
    deleted = gone.size;
    freedContents = contents.size - edited.contents.length;
  } finally {
    reader.close();
  }
  throwIfAborted(options.signal);
  const editor = ArchiveEditor.open(archivePath, reader.cipher);
  try {
    editor.deleteBlocks(deadBlocks);
    editor.writeCatalog(edited.entries, edited.contents);
    throwIfAborted(options.signal);
    editor.commit();
    return { archivePath, deleted, freedContents, archiveBytes: fs.statSync(archivePath).size, seconds: (performance.now() - started) / 1000 };
  } finally {
    editor.close();
  }
}
