// What an encrypted archive stores for one entry: the sealed blob (the truth, authenticated), and the plaintext
// columns, which either repeat the metadata (names visible; checked against the blob on read) or hold nothing
// revealing (names encrypted: a placeholder path, type 'file', zeros).
import { OctozipError } from '../errors.ts';
import type { ArchiveCipher, SealedEntry } from './archive-cipher.ts';

/** The columns of one entry row that the format stores in plaintext. */
export interface EntryColumns {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtimeMs: number;
  size: number;
  contentId: number | null;
  linkTarget: string | null;
}

export interface ProtectedEntry {
  columns: EntryColumns;
  sealed: Buffer;
}

/** Placeholder path of a names-encrypted entry: unique (the table needs it) and derived from the id only. */
export function hiddenPath(entryId: number): string {
  return `~${entryId}`;
}

export function protectEntry(cipher: ArchiveCipher, entryId: number, entry: EntryColumns, sha256: string | undefined): ProtectedEntry {
  const fields: SealedEntry = {
    path: entry.path,
    type: entry.type,
    mode: entry.mode & 0o7777,
    mtimeMs: Math.trunc(entry.mtimeMs),
    size: entry.size,
    ...(entry.linkTarget !== null ? { linkTarget: entry.linkTarget } : {}),
    ...(sha256 !== undefined ? { sha256 } : {}),
  };
  const sealed = cipher.sealEntry(entryId, entry.contentId, fields);
  const columns: EntryColumns = cipher.namesEncrypted
    ? { path: hiddenPath(entryId), type: 'file', mode: 0, mtimeMs: 0, size: 0, contentId: entry.contentId, linkTarget: null }
    : { ...entry, mode: fields.mode, mtimeMs: fields.mtimeMs };
  return { columns, sealed };
}

/**
 * The authenticated metadata of one entry. With visible names, the plaintext columns must say exactly what the
 * blob says: an edited name, size or link target in the table is tampering even though the blob is intact.
 */
export function recoverEntry(
  cipher: ArchiveCipher,
  entryId: number,
  columns: EntryColumns,
  sealed: unknown,
  archivePath?: string,
): SealedEntry & { contentId: number | null } {
  if (!(sealed instanceof Uint8Array)) {
    throw new OctozipError('damaged', `Entry ${entryId} has no sealed metadata: the archive was altered or damaged.`, {
      subject: archivePath,
    });
  }
  let entry: SealedEntry;
  try {
    entry = cipher.openEntry(entryId, columns.contentId, sealed);
  } catch (err) {
    if (err instanceof OctozipError) throw new OctozipError(err.code, err.message, { subject: archivePath, cause: err });
    throw err;
  }
  if (!cipher.namesEncrypted) {
    const same =
      columns.path === entry.path &&
      columns.type === entry.type &&
      (columns.mode & 0o7777) === entry.mode &&
      columns.mtimeMs === entry.mtimeMs &&
      columns.size === entry.size &&
      (columns.linkTarget ?? undefined) === entry.linkTarget;
    if (!same) {
      throw new OctozipError('damaged', `Entry ${entryId}'s visible metadata differs from its sealed copy: the archive was altered.`, {
        subject: archivePath,
      });
    }
  }
  return { ...entry, contentId: columns.contentId };
}
