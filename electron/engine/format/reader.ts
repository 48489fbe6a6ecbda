// Reads an archive database. Distrustful: every query may meet a crafted or damaged file, and every
// SQLite failure becomes an OctozipError that names the archive.
import fs from 'node:fs';
import { OctozipError } from '../errors.ts';
import { entryMetaChecksum } from './checksum.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { headerFromRows, type ArchiveHeader } from './header.ts';
import { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { recoverEntry } from '../crypto/entry-protection.ts';
import { checkHeaderSeal } from './header-seal.ts';
import { openPayload, storedRawCrc } from './payload.ts';
import type { ChunkRecord, ContentRecord, StoredEntry } from './records.ts';
import { APPLICATION_ID, FORMAT_VERSION } from './schema.ts';

/** Runs `fn`, turning SQLite's corruption errors into 'damaged'. */
export function guardSqlite<T>(archivePath: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OctozipError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB') {
      throw new OctozipError('not-an-archive', `${archivePath} is not an Octozip archive.`, { subject: archivePath, cause: err });
    }
    if (code.startsWith('SQLITE_')) {
      throw new OctozipError('damaged', `The archive is damaged (${(err as Error).message}).`, { subject: archivePath, cause: err });
    }
    throw err;
  }
}

/**
 * An add or delete killed mid-transaction leaves `ARCHIVE-journal` beside the archive; a read-only connection
 * cannot roll it back (SQLITE_READONLY_ROLLBACK), so the first reader opens the file read-write once to let
 * SQLite restore the archive as it was before the interrupted edit.
 */
export function recoverInterruptedEdit(archivePath: string): void {
  if (!fs.existsSync(`${archivePath}-journal`)) return;
  const db = guardSqlite(archivePath, () => openDatabase(archivePath));
  try {
    guardSqlite(archivePath, () => db.prepare('SELECT count(*) FROM sqlite_master').get());
  } finally {
    db.close();
  }
}

export class ArchiveReader {
  readonly archivePath: string;
  readonly header: ArchiveHeader;
  readonly #db: SqliteDatabase;
  #cipher: ArchiveCipher | null = null;
  #entries: StoredEntry[] | null = null;

  private constructor(archivePath: string, db: SqliteDatabase, header: ArchiveHeader) {
    this.archivePath = archivePath;
    this.#db = db;
    this.header = header;
  }

  static open(archivePath: string): ArchiveReader {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(archivePath);
    } catch (err) {
      throw new OctozipError('io', `Cannot open ${archivePath}: ${(err as Error).message}`, { subject: archivePath, cause: err });
    }
    if (!stat.isFile()) throw new OctozipError('not-an-archive', `${archivePath} is not a file.`, { subject: archivePath });
    recoverInterruptedEdit(archivePath);
    const db = guardSqlite(archivePath, () => openDatabase(archivePath, { readonly: true }));
    try {
      const header = guardSqlite(archivePath, () => {
        const appId = db.pragma('application_id', { simple: true });
        if (appId !== APPLICATION_ID) {
          throw new OctozipError('not-an-archive', `${archivePath} is not an Octozip archive.`, { subject: archivePath });
        }
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version > FORMAT_VERSION) {
          throw new OctozipError(
            'unsupported-version',
            `${archivePath} uses format version ${version}; this build reads up to ${FORMAT_VERSION}. Update Octozip.`,
            { subject: archivePath },
          );
        }
        const rows = db.prepare('SELECT key, value FROM header').all() as { key: string; value: string }[];
        return headerFromRows(rows, archivePath);
      });
      if (header.formatVersion > FORMAT_VERSION) {
        throw new OctozipError('unsupported-version', `${archivePath} uses format version ${header.formatVersion}.`, {
          subject: archivePath,
        });
      }
      return new ArchiveReader(archivePath, db, header);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  get encrypted(): boolean {
    return this.header.encryption !== null;
  }

  /** True when entry names are encrypted and no password has unlocked them. */
  get namesHidden(): boolean {
    return this.header.encryption?.['namesEncrypted'] === true && this.#cipher === null;
  }

  /** The unlocked cipher of an encrypted archive (null for a plain one or before unlock). */
  get cipher(): ArchiveCipher | null {
    return this.#cipher;
  }

  /**
   * Encrypted archives: derives the keys (one scrypt run), checks the password against the stored key check
   * ('wrong-password' / 'password-required'), then the header MAC. A plain archive ignores any password.
   */
  async unlock(password: string | undefined): Promise<void> {
    if (this.header.encryption === null || this.#cipher !== null) return;
    const cipher = await ArchiveCipher.unlock(JSON.stringify(this.header.encryption), password, this.archivePath);
    guardSqlite(this.archivePath, () => checkHeaderSeal(this.#db, cipher, this.archivePath));
    this.#cipher = cipher;
    this.#entries = null;
  }

  /** The one place entry metadata is read (name decryption hooks in here), in archive order. */
  entries(): StoredEntry[] {
    this.#entries ??= this.#readEntries();
    return this.#entries;
  }

  #readEntries(): StoredEntry[] {
    const cipher = this.#cipher;
    return guardSqlite(this.archivePath, () => {
      // Raw rows (arrays) read about twice as fast as objects; this runs once per entry on every listing.
      const rows = this.#db
        .prepare(`SELECT id, path, type, mode, mtime_ms, size, content_id, link_target, meta_crc32${cipher ? ', sealed' : ''} FROM entry ORDER BY id`)
        .raw()
        .all() as [number, unknown, unknown, number, number, number, number | null, unknown, number, unknown?][];
      return rows.map(([id, path, type, mode, mtimeMs, size, contentId, linkTarget, metaCrc32, sealedBlob]): StoredEntry => {
        if (typeof path !== 'string' || (type !== 'file' && type !== 'directory' && type !== 'symlink')) {
          throw new OctozipError('damaged', `Entry ${id} has an invalid path or type.`, { subject: this.archivePath });
        }
        if (cipher) {
          const columns = {
            path,
            type: type as StoredEntry['type'],
            mode: Number(mode),
            mtimeMs: Number(mtimeMs),
            size: Number(size),
            contentId: contentId === null ? null : Number(contentId),
            linkTarget: typeof linkTarget === 'string' ? linkTarget : null,
          };
          const sealed = recoverEntry(cipher, Number(id), columns, sealedBlob, this.archivePath);
          return {
            id,
            path: sealed.path,
            type: sealed.type,
            mode: sealed.mode,
            mtimeMs: sealed.mtimeMs,
            size: sealed.size,
            contentId: columns.contentId,
            linkTarget: sealed.linkTarget ?? null,
            // Authenticated by AES-GCM, which is stronger than the row's CRC.
            metaIntact: true,
            ...(sealed.sha256 !== undefined ? { sha256: sealed.sha256 } : {}),
          };
        }
        return {
          id,
          path,
          type,
          mode: Number(mode) & 0o7777,
          mtimeMs: Number(mtimeMs),
          size: Number(size),
          contentId: contentId === null ? null : Number(contentId),
          linkTarget: typeof linkTarget === 'string' ? linkTarget : null,
          metaIntact: entryMetaChecksum([path, type, mode, mtimeMs, size, contentId, linkTarget]) === Number(metaCrc32),
        };
      });
    });
  }

  /**
   * Contents by id. Encrypted archives store a keyed fingerprint instead of the SHA-256; once unlocked, the real
   * SHA-256 comes from the sealed entries that use the content (checked against the fingerprint), so extract
   * and verify compare real hashes either way. Locked: the hash is '' (unknown).
   */
  contents(): Map<number, ContentRecord> {
    const contents = this.#readContents();
    if (!this.encrypted) return contents;
    const cipher = this.#cipher;
    const realSha = new Map<number, string>();
    if (cipher) {
      for (const entry of this.entries()) {
        if (entry.contentId === null || entry.sha256 === undefined) continue;
        const content = contents.get(entry.contentId);
        const known = realSha.get(entry.contentId);
        if (!content || (known !== undefined && known !== entry.sha256) || cipher.fingerprint(entry.sha256) !== content.sha256) {
          throw new OctozipError('damaged', `Entry "${entry.path}" does not match its content's fingerprint: the archive was altered.`, {
            subject: this.archivePath,
          });
        }
        realSha.set(entry.contentId, entry.sha256);
      }
    }
    for (const content of contents.values()) content.sha256 = realSha.get(content.id) ?? '';
    return contents;
  }

  #readContents(): Map<number, ContentRecord> {
    return guardSqlite(this.archivePath, () => {
      const rows = this.#db
        .prepare('SELECT id, sha256, size, chunk_count, packed_size FROM content ORDER BY id')
        .raw()
        .all() as [number, unknown, number, number, number][];
      const contents = new Map<number, ContentRecord>();
      for (const [id, sha256, size, chunkCount, packedSize] of rows) {
        contents.set(id, { id, sha256: String(sha256), size: Number(size), chunkCount: Number(chunkCount), packedSize: Number(packedSize) });
      }
      return contents;
    });
  }

  /** Codec of each content's first chunk, for listings. */
  firstChunkCodecs(): Map<number, string> {
    return guardSqlite(this.archivePath, () => {
      const rows = this.#db.prepare('SELECT content_id, codec FROM chunk WHERE seq = 0').raw().all() as [number, unknown][];
      return new Map(rows.map(([contentId, codec]) => [contentId, String(codec)]));
    });
  }

  /** A content's chunks in order, without payloads. */
  chunksOf(contentId: number): ChunkRecord[] {
    const cipher = this.#cipher;
    return guardSqlite(this.archivePath, () =>
      (
        this.#db
          .prepare(
            // Encrypted: the blob's first 12 bytes are its nonce, which unmasks the stored raw CRC.
            `SELECT id, content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, length(payload) AS payload_size
             ${cipher ? ', substr(payload, 1, 12) AS nonce' : ''}
             FROM chunk WHERE content_id = ? ORDER BY seq`,
          )
          .all(contentId) as {
          id: number;
          content_id: number;
          seq: number;
          raw_offset: number;
          raw_size: number;
          codec: string;
          raw_crc32: number;
          payload_crc32: number;
          payload_size: number;
          nonce?: unknown;
        }[]
      ).map((r) => ({
        id: r.id,
        contentId: r.content_id,
        seq: Number(r.seq),
        rawOffset: Number(r.raw_offset),
        rawSize: Number(r.raw_size),
        codec: String(r.codec),
        rawCrc32:
          cipher && r.nonce instanceof Uint8Array
            ? storedRawCrc(Number(r.raw_crc32), { contentId: r.content_id, seq: Number(r.seq), codec: String(r.codec), rawSize: Number(r.raw_size) }, r.nonce, cipher)
            : Number(r.raw_crc32),
        payloadCrc32: Number(r.payload_crc32),
        payloadSize: Number(r.payload_size),
      })),
    );
  }

  /** The stored blob (not yet opened); callers check payloadCrc32 before trusting it. */
  storedPayload(chunk: ChunkRecord): Uint8Array {
    return guardSqlite(this.archivePath, () => {
      const row = this.#db.prepare('SELECT payload FROM chunk WHERE id = ?').get(chunk.id) as { payload: unknown } | undefined;
      if (!row || !(row.payload instanceof Uint8Array)) {
        throw new OctozipError('damaged', `Chunk ${chunk.seq} of content ${chunk.contentId} has no payload.`, {
          subject: this.archivePath,
        });
      }
      return row.payload;
    });
  }

  /** Codec input for a stored blob. */
  openPayload(stored: Uint8Array, chunk: ChunkRecord): Uint8Array {
    if (this.encrypted && !this.#cipher) {
      throw new OctozipError('password-required', 'This archive is encrypted: its password is needed to open it.', { subject: this.archivePath });
    }
    return openPayload(stored, { contentId: chunk.contentId, seq: chunk.seq, codec: chunk.codec, rawSize: chunk.rawSize }, this.#cipher, this.archivePath);
  }

  /** Totals for info, from SQL aggregates (no row is decoded into objects). */
  stats(): { entries: number; files: number; rawBytes: number; packedBytes: number } {
    return guardSqlite(this.archivePath, () => {
      const e = this.#db
        .prepare(
          "SELECT count(*) AS entries, coalesce(sum(type = 'file'), 0) AS files, coalesce(sum(CASE WHEN type = 'file' THEN size ELSE 0 END), 0) AS raw FROM entry",
        )
        .get() as { entries: number; files: number; raw: number };
      const c = this.#db.prepare('SELECT coalesce(sum(packed_size), 0) AS packed FROM content').get() as { packed: number };
      return { entries: Number(e.entries), files: Number(e.files), rawBytes: Number(e.raw), packedBytes: Number(c.packed) };
    });
  }

  codecsUsed(): string[] {
    return guardSqlite(this.archivePath, () =>
      (this.#db.prepare('SELECT DISTINCT codec FROM chunk ORDER BY codec').all() as { codec: string }[]).map((r) =>
        String(r.codec),
      ),
    );
  }

  /** SQLite's own integrity check: an empty list means the b-trees are sound. */
  integrityProblems(): string[] {
    try {
      const rows = this.#db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).filter((line) => line !== 'ok');
    } catch (err) {
      return [`SQLite cannot check the file: ${(err as Error).message}`];
    }
  }

  close(): void {
    this.#db.close();
  }
}
