// SQLite's failures as OctozipErrors that name the archive: the one mapping for readers and edits. Reading, a
// file that is not a database is 'not-an-archive' and any other SQLite failure means damage; editing, the failures
// are of the file system or of another program holding the archive.
import { OctozipError } from '../errors.ts';

export type SqliteUse = 'read' | 'edit';

export function sqliteError(err: unknown, archivePath: string, use: SqliteUse): unknown {
  if (err instanceof OctozipError) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error)?.message ?? String(err);
  const subject = { subject: archivePath, cause: err };
  if (use === 'read') {
    if (code === 'SQLITE_NOTADB') return new OctozipError('not-an-archive', `${archivePath} is not an Octozip archive.`, subject);
    if (code.startsWith('SQLITE_')) return new OctozipError('damaged', `The archive is damaged (${message}).`, subject);
    return err;
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new OctozipError('io', `${archivePath} is being changed by another program; try again when it is done.`, subject);
  }
  if (code === 'SQLITE_FULL') return new OctozipError('io', `The disk is full; ${archivePath} was left as it was.`, subject);
  return new OctozipError('io', `Cannot change ${archivePath}: ${message}`, subject);
}

/** Runs `fn`, turning SQLite's failures into OctozipErrors for `use`. */
export function guardSqlite<T>(archivePath: string, fn: () => T, use: SqliteUse = 'read'): T {
  try {
    return fn();
  } catch (err) {
    throw sqliteError(err, archivePath, use);
  }
}
