// Writes a new archive database. The caller owns the file's path (a temp file) and its final rename.
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { removeDatabaseQuietly } from '../fs/temp-file.ts';
import { BlockTable } from './block-table.ts';
import type { CatalogLayout } from './catalog.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { headerToRows, type ArchiveHeader } from './header.ts';
import { sealHeader } from './header-seal.ts';
import type { CatalogContent, EntryRecord, NewBlock } from './records.ts';
import { APPLICATION_ID, COMPACT_SCHEMA_SQL, FORMAT_VERSION, PAGE_SIZE, catalogLayout, pageSizeFor } from './schema.ts';

export class ArchiveWriter {
  readonly #db: SqliteDatabase;
  readonly #blocks: BlockTable;
  readonly #cipher: ArchiveCipher | null;
  #closed = false;

  private constructor(db: SqliteDatabase, cipher: ArchiveCipher | null) {
    this.#db = db;
    this.#cipher = cipher;
    this.#blocks = new BlockTable(db, cipher);
  }

  /** Creates the database at `path`, which must not exist; with a cipher, everything is sealed as it is written. */
  static create(path: string, cipher: ArchiveCipher | null = null): ArchiveWriter {
    const db = openDatabase(path, { create: true });
    // The file is a temp file that is deleted on any failure, so the journal stays in memory (it only holds
    // pages that existed before the transaction: nearly none in a new file; better-sqlite3's defensive mode
    // refuses journal_mode OFF) and nothing is synced while building; the job fsyncs once before the rename.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${FORMAT_VERSION}`);
    db.exec(COMPACT_SCHEMA_SQL);
    db.exec('BEGIN');
    return new ArchiveWriter(db, cipher);
  }

  writeHeader(header: ArchiveHeader): void {
    const upsert = this.#db.prepare('INSERT OR REPLACE INTO header (key, value) VALUES (?, ?)');
    for (const [key, value] of headerToRows(header)) upsert.run(key, value);
  }

  /** Stores one data block; returns its id and stored size. `hashKeyed`: see BlockTable.insert. */
  addBlock(block: NewBlock, options: { hashKeyed?: boolean } = {}): { id: number; storedSize: number } {
    return this.#blocks.insert(block, options);
  }

  /**
   * Writes the entry list and content list; call once, after the last data block. Returns their stored bytes.
   * The layout is this format's; tests that craft an older archive name theirs.
   */
  writeCatalog(entries: readonly EntryRecord[], contents: readonly CatalogContent[], layout: CatalogLayout = catalogLayout(FORMAT_VERSION)): number {
    return this.#blocks.writeCatalog(entries, contents, layout);
  }

  /**
   * Commits and closes. `vacuum` repacks the file (drops slack in b-tree pages) at the cost of a rewrite, in
   * pages of the size that suits the payloads written (pageSizeFor).
   */
  finish(options: { vacuum: boolean }): void {
    if (this.#cipher) sealHeader(this.#db, this.#cipher, FORMAT_VERSION);
    this.#db.exec('COMMIT');
    if (options.vacuum) {
      const lengths = this.#db.prepare('SELECT length(payload) FROM block').pluck().all() as number[];
      this.#db.pragma(`page_size = ${pageSizeFor(lengths)}`);
      this.#db.exec('VACUUM');
    }
    this.close();
  }

  /** Gives up a failed write: closes (as far as a failed database allows) and deletes the temp file. */
  static discard(writer: ArchiveWriter | null, path: string): void {
    try {
      writer?.close();
    } catch {
      // A database that failed mid-write (disk full) may refuse a clean close; the file goes anyway.
    }
    removeDatabaseQuietly(path);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    this.#db.close();
  }
}
