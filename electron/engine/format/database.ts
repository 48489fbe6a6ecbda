// The one place that opens SQLite files, so every caller gets the same native binding and settings.
// Under Electron the app sets OCTOZIP_SQLITE_BINDING to a better-sqlite3 build for Electron's ABI
// (better-sqlite3 is not N-API, so Node's build cannot load there).
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  readonly?: boolean;
  /** Create the file if it does not exist (writers only). */
  create?: boolean;
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const nativeBinding = process.env.OCTOZIP_SQLITE_BINDING;
  return new Database(path, {
    readonly: options.readonly ?? false,
    fileMustExist: !options.create,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
}
