// delete: entries out of an existing archive, in one transaction. Content no remaining entry uses is dropped
// with its chunks; every other chunk stays where it is (the file keeps its size; freed pages are reused by later
// adds). A named folder deletes everything under it.
import fs from 'node:fs';
import path from 'node:path';
import type { DeleteOptions, DeleteSummary } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { ArchiveEditor } from '../format/archive-editor.ts';
import { ArchiveReader } from '../format/reader.ts';
import { selectEntries } from './extract.ts';

export async function deleteFromArchive(options: DeleteOptions): Promise<DeleteSummary> {
  const started = performance.now();
  const archivePath = path.resolve(options.archivePath);
  if (options.entries.length === 0) throw new OctozipError('input', 'Name at least one entry to delete.');
  const reader = ArchiveReader.open(archivePath);
  let ids: number[];
  let cipher;
  try {
    await reader.unlock(options.password);
    cipher = reader.cipher;
    ids = selectEntries(reader.entries(), options.entries).map((e) => e.id);
  } finally {
    reader.close();
  }
  throwIfAborted(options.signal);
  const editor = ArchiveEditor.open(archivePath, cipher);
  try {
    editor.deleteEntries(ids);
    const freedContents = editor.collectGarbage();
    throwIfAborted(options.signal);
    editor.commit();
    return {
      archivePath,
      deleted: ids.length,
      freedContents,
      archiveBytes: fs.statSync(archivePath).size,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    editor.close();
  }
}
