// The recent-archives catalog: one small SQLite file in the app's data folder. It lives in the engine host,
// beside the engine's own SQLite use, so main never loads a native module.
import type { CatalogRememberParams, RecentArchive } from '../contract.ts';
import { openDatabase, type SqliteDatabase } from '../engine/index.ts';

/** How many archives the catalog keeps; older ones are dropped when a new one is remembered. */
export const CATALOG_LIMIT = 50;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS recent_archive (
  path TEXT PRIMARY KEY,
  size_bytes INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  ratio REAL NOT NULL,
  model TEXT NOT NULL,
  last_opened_at TEXT NOT NULL,
  last_verified_at TEXT,
  last_verify_ok INTEGER
);
`;

interface Row {
  path: string;
  size_bytes: number;
  entries: number;
  ratio: number;
  model: string;
  last_opened_at: string;
  last_verified_at: string | null;
  last_verify_ok: number | null;
}

export class Catalog {
  private readonly db: SqliteDatabase;
  private readonly now: () => Date;

  constructor(dbPath: string, now: () => Date = () => new Date()) {
    // The engine's opener: it honours OCTOZIP_SQLITE_BINDING, the Electron-ABI build `npm start` uses.
    this.db = openDatabase(dbPath, { create: true });
    this.now = now;
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
  }

  /** Records an archive as just opened or created, keeping its last verify result if the path is known. */
  remember(a: CatalogRememberParams): void {
    const remember = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO recent_archive (path, size_bytes, entries, ratio, model, last_opened_at)
           VALUES (@path, @sizeBytes, @entries, @ratio, @model, @at)
           ON CONFLICT(path) DO UPDATE SET size_bytes = excluded.size_bytes, entries = excluded.entries,
             ratio = excluded.ratio, model = excluded.model, last_opened_at = excluded.last_opened_at`,
        )
        .run({ path: a.archivePath, sizeBytes: a.sizeBytes, entries: a.entries, ratio: a.ratio, model: a.model, at: this.now().toISOString() });
      this.db
        .prepare(
          `DELETE FROM recent_archive WHERE path NOT IN
             (SELECT path FROM recent_archive ORDER BY last_opened_at DESC, rowid DESC LIMIT ?)`,
        )
        .run(CATALOG_LIMIT);
    });
    remember();
  }

  recordVerify(archivePath: string, ok: boolean, at: string): void {
    this.db
      .prepare('UPDATE recent_archive SET last_verified_at = ?, last_verify_ok = ? WHERE path = ?')
      .run(at, ok ? 1 : 0, archivePath);
  }

  forget(archivePath: string): void {
    this.db.prepare('DELETE FROM recent_archive WHERE path = ?').run(archivePath);
  }

  /** Most recently opened first. */
  list(): Omit<RecentArchive, 'exists'>[] {
    const rows = this.db
      .prepare('SELECT * FROM recent_archive ORDER BY last_opened_at DESC, rowid DESC')
      .all() as Row[];
    return rows.map((r) => ({
      path: r.path,
      sizeBytes: r.size_bytes,
      entries: r.entries,
      ratio: r.ratio,
      model: r.model,
      lastOpenedAt: r.last_opened_at,
      lastVerifiedAt: r.last_verified_at,
      lastVerifyOk: r.last_verify_ok === null ? null : r.last_verify_ok === 1,
    }));
  }

  close(): void {
    this.db.close();
  }
}
