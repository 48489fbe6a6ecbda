// In-place, transactional edits of an existing archive (add, delete): one SQLite transaction with a rollback
// journal and full syncs, so a crash or kill at any point leaves the archive as it was before or as it is
// after, never in between (the journal, `ARCHIVE-journal`, is rolled back by the next open). Untouched chunks
// are never rewritten: added content is appended, deleted content's pages go to SQLite's free list.
import { OctozipError } from '../errors.ts';
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { protectEntry } from '../crypto/entry-protection.ts';
import { crc32, entryMetaChecksum } from './checksum.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { HEADER_KEYS, type ArchiveHeader } from './header.ts';
import { sealHeader } from './header-seal.ts';
import { sealPayload, storedRawCrc } from './payload.ts';
import type { ArchiveReader } from './reader.ts';
import type { ContentRecord, EntryRecord } from './records.ts';

export class ArchiveEditor {
  readonly archivePath: string;
  readonly #db: SqliteDatabase;
  readonly #cipher: ArchiveCipher | null;
  /** Stored digest (SHA-256, or its keyed fingerprint when encrypted) -> content id, for dedup against the archive. */
  readonly #contentByDigest = new Map<string, number>();
  #nextEntryId: number;
  #closed = false;

  private constructor(archivePath: string, db: SqliteDatabase, cipher: ArchiveCipher | null) {
    this.archivePath = archivePath;
    this.#db = db;
    this.#cipher = cipher;
    for (const row of db.prepare("SELECT id, sha256 FROM content WHERE sha256 != ''").iterate() as Iterable<{ id: number; sha256: string }>) {
      this.#contentByDigest.set(String(row.sha256), Number(row.id));
    }
    this.#nextEntryId = Number((db.prepare('SELECT coalesce(max(id), 0) AS m FROM entry').get() as { m: number }).m) + 1;
  }

  /**
   * Opens `archivePath` for editing. The caller has opened (and, if encrypted, unlocked) it with ArchiveReader
   * first, so the file is a sound archive and `cipher` is its own.
   */
  static open(archivePath: string, cipher: ArchiveCipher | null): ArchiveEditor {
    const db = openDatabase(archivePath);
    try {
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = FULL');
      // Encrypted archives: pages freed by a delete are zeroed, so removed entries leave no sealed residue.
      if (cipher) db.pragma('secure_delete = ON');
      db.exec('BEGIN IMMEDIATE');
      return new ArchiveEditor(archivePath, db, cipher);
    } catch (err) {
      db.close();
      throw busyOrIo(archivePath, err);
    }
  }

  deleteEntries(ids: readonly number[]): void {
    const del = this.#db.prepare('DELETE FROM entry WHERE id = ?');
    for (const id of ids) del.run(id);
  }

  /** Drops contents no entry uses any more, with their chunks. Returns how many contents went. */
  collectGarbage(): number {
    this.#db.exec('DELETE FROM chunk WHERE content_id NOT IN (SELECT content_id FROM entry WHERE content_id IS NOT NULL)');
    const gone = this.#db.prepare('DELETE FROM content WHERE id NOT IN (SELECT content_id FROM entry WHERE content_id IS NOT NULL)').run();
    this.#contentByDigest.clear();
    for (const row of this.#db.prepare("SELECT id, sha256 FROM content WHERE sha256 != ''").iterate() as Iterable<{ id: number; sha256: string }>) {
      this.#contentByDigest.set(String(row.sha256), Number(row.id));
    }
    return gone.changes;
  }

  /** The archive's content with this SHA-256, if it already holds those bytes. */
  findContent(sha256: string): number | null {
    return this.#contentByDigest.get(this.#cipher ? this.#cipher.fingerprint(sha256) : sha256) ?? null;
  }

  /**
   * Copies one content from another archive, chunk by chunk (memory: one chunk). Payloads keep their codec
   * output; with encryption they are opened with the source's keys and sealed again with this archive's,
   * bound to their new place.
   */
  importContent(source: ArchiveReader, content: ContentRecord, chunks: ReturnType<ArchiveReader['chunksOf']>, sha256: string): number {
    const digest = this.#cipher ? this.#cipher.fingerprint(sha256) : sha256;
    const contentId = Number(
      this.#db
        .prepare('INSERT INTO content (sha256, size, chunk_count, packed_size) VALUES (?, ?, ?, 0)')
        .run(digest, content.size, chunks.length).lastInsertRowid,
    );
    const insert = this.#db.prepare(
      `INSERT INTO chunk (content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let packed = 0;
    for (const chunk of chunks) {
      const stored = source.storedPayload(chunk);
      if (crc32(stored) !== chunk.payloadCrc32) {
        throw new OctozipError('damaged', `A chunk of the new content failed its checksum while being added.`, { subject: this.archivePath });
      }
      const payload = source.openPayload(stored, chunk);
      const identity = { contentId, seq: chunk.seq, codec: chunk.codec, rawSize: chunk.rawSize };
      const sealed = sealPayload(payload, identity, this.#cipher);
      insert.run(contentId, chunk.seq, chunk.rawOffset, chunk.rawSize, chunk.codec, storedRawCrc(chunk.rawCrc32, identity, sealed, this.#cipher), crc32(sealed), sealed);
      packed += sealed.length;
    }
    this.#db.prepare('UPDATE content SET packed_size = ? WHERE id = ?').run(packed, contentId);
    this.#contentByDigest.set(digest, contentId);
    return contentId;
  }

  addEntry(entry: EntryRecord, sha256: string | undefined): void {
    const id = this.#nextEntryId++;
    let columns = { ...entry, mtimeMs: Math.trunc(entry.mtimeMs) };
    let sealed: Buffer | null = null;
    if (this.#cipher) ({ columns, sealed } = protectEntry(this.#cipher, id, entry, sha256));
    const row = [columns.path, columns.type, columns.mode, Math.trunc(columns.mtimeMs), columns.size, columns.contentId, columns.linkTarget] as const;
    this.#db
      .prepare(
        'INSERT INTO entry (id, path, type, mode, mtime_ms, size, content_id, link_target, meta_crc32, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, ...row, entryMetaChecksum(row), sealed);
  }

  /** Records the codecs and models added content needs; a codec's parameters must match what is there. */
  mergeHeader(current: ArchiveHeader, added: ArchiveHeader): void {
    const codecParams = { ...current.codecParams };
    for (const [id, params] of Object.entries(added.codecParams)) {
      const existing = codecParams[id];
      if (existing && JSON.stringify(existing) !== JSON.stringify(params)) {
        throw new OctozipError(
          'input',
          `The archive's ${id} chunks were made with other settings (${JSON.stringify(existing)}); add with the archive's preset (${current.preset ?? 'unknown'}).`,
          { subject: this.archivePath },
        );
      }
      codecParams[id] = params;
    }
    const models = [...current.models];
    for (const m of added.models) if (!models.some((x) => x.name === m.name && x.sha256 === m.sha256)) models.push(m);
    const upsert = this.#db.prepare('INSERT OR REPLACE INTO header (key, value) VALUES (?, ?)');
    upsert.run(HEADER_KEYS.codecParams, JSON.stringify(codecParams));
    upsert.run(HEADER_KEYS.models, JSON.stringify(models));
  }

  /** Seals the header (encrypted archives) and commits: the one moment the archive changes. */
  commit(): void {
    try {
      if (this.#cipher) sealHeader(this.#db, this.#cipher);
      this.#db.exec('COMMIT');
    } catch (err) {
      throw busyOrIo(this.archivePath, err);
    } finally {
      this.close();
    }
  }

  /** Rolls back anything not committed and closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    } finally {
      this.#db.close();
    }
  }
}

function busyOrIo(archivePath: string, err: unknown): OctozipError {
  if (err instanceof OctozipError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new OctozipError('io', `${archivePath} is being changed by another program; try again when it is done.`, { subject: archivePath, cause: err });
  }
  if (code === 'SQLITE_FULL') {
    return new OctozipError('io', `The disk is full; ${archivePath} was left as it was.`, { subject: archivePath, cause: err });
  }
  return new OctozipError('io', `Cannot change ${archivePath}: ${(err as Error).message}`, { subject: archivePath, cause: err });
}
