// Writes a new archive database. The caller owns the file's path (a temp file) and its final rename.
import { crc32, entryMetaChecksum } from './checksum.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { headerToRows, type ArchiveHeader } from './header.ts';
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { protectEntry } from '../crypto/entry-protection.ts';
import { sealHeader } from './header-seal.ts';
import { sealPayload, storedRawCrc } from './payload.ts';
import type { EntryRecord, NewChunk } from './records.ts';
import { APPLICATION_ID, COMPACT_SCHEMA_SQL, FORMAT_VERSION, PAGE_SIZE } from './schema.ts';

export class ArchiveWriter {
  readonly #db: SqliteDatabase;
  readonly #insertContent;
  readonly #finishContent;
  readonly #insertChunk;
  readonly #addPackedSize;
  readonly #insertEntry;
  readonly #cipher: ArchiveCipher | null;
  /**
   * Encrypted archives: entries wait here until finish, when every content's SHA-256 is known and goes into its
   * sealed metadata; so no plaintext name is ever written to the file, not even transiently.
   */
  readonly #pendingEntries: EntryRecord[] = [];
  readonly #shaByContent = new Map<number, string>();
  #closed = false;

  private constructor(db: SqliteDatabase, cipher: ArchiveCipher | null) {
    this.#db = db;
    this.#cipher = cipher;
    this.#insertContent = db.prepare(
      'INSERT INTO content (sha256, size, chunk_count, packed_size) VALUES (?, ?, 0, 0)',
    );
    this.#finishContent = db.prepare('UPDATE content SET sha256 = ?, chunk_count = ? WHERE id = ?');
    this.#insertChunk = db.prepare(
      `INSERT INTO chunk (content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#addPackedSize = db.prepare('UPDATE content SET packed_size = packed_size + ? WHERE id = ?');
    this.#insertEntry = db.prepare(
      'INSERT INTO entry (path, type, mode, mtime_ms, size, content_id, link_target, meta_crc32, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
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

  /** Starts a content (the bytes of one or more identical files); its hash is filled in by finishContent. */
  beginContent(size: number): number {
    return Number(this.#insertContent.run('', size).lastInsertRowid);
  }

  finishContent(contentId: number, sha256: string, chunkCount: number): void {
    // Encrypted: a keyed fingerprint, so nobody can test the archive for a known file by its public hash.
    this.#finishContent.run(this.#cipher ? this.#cipher.fingerprint(sha256) : sha256, chunkCount, contentId);
    if (this.#cipher) this.#shaByContent.set(contentId, sha256);
  }

  /** Stores one chunk; returns the stored payload size. */
  addChunk(chunk: NewChunk): number {
    const identity = { contentId: chunk.contentId, seq: chunk.seq, codec: chunk.codec, rawSize: chunk.rawSize };
    const stored = sealPayload(chunk.payload, identity, this.#cipher);
    this.#insertChunk.run(
      chunk.contentId,
      chunk.seq,
      chunk.rawOffset,
      chunk.rawSize,
      chunk.codec,
      storedRawCrc(chunk.rawCrc32, identity, stored, this.#cipher),
      crc32(stored),
      stored,
    );
    this.#addPackedSize.run(stored.length, chunk.contentId);
    return stored.length;
  }

  /** The one place entry metadata is written (name encryption hooks in here). */
  addEntry(entry: EntryRecord): void {
    if (this.#cipher) {
      this.#pendingEntries.push(entry);
      return;
    }
    const row = [entry.path, entry.type, entry.mode, Math.trunc(entry.mtimeMs), entry.size, entry.contentId, entry.linkTarget] as const;
    this.#insertEntry.run(...row, entryMetaChecksum(row), null);
  }

  /** Encrypted archives: writes the waiting entries, sealed, with ids 1..n, then the header MAC over it all. */
  #writeSealedEntries(cipher: ArchiveCipher): void {
    const insert = this.#db.prepare(
      'INSERT INTO entry (id, path, type, mode, mtime_ms, size, content_id, link_target, meta_crc32, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#pendingEntries.forEach((entry, i) => {
      const id = i + 1;
      const sha = entry.contentId === null ? undefined : this.#shaByContent.get(entry.contentId);
      const { columns: c, sealed } = protectEntry(cipher, id, entry, sha);
      const row = [c.path, c.type, c.mode, Math.trunc(c.mtimeMs), c.size, c.contentId, c.linkTarget] as const;
      insert.run(id, ...row, entryMetaChecksum(row), sealed);
    });
    this.#pendingEntries.length = 0;
    sealHeader(this.#db, cipher);
  }

  /** Commits and closes. `vacuum` repacks the file (drops slack in b-tree pages) at the cost of a rewrite. */
  finish(options: { vacuum: boolean }): void {
    if (this.#cipher) this.#writeSealedEntries(this.#cipher);
    this.#db.exec('COMMIT');
    if (options.vacuum) this.#db.exec('VACUUM');
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    this.#db.close();
  }
}
