// In-place, transactional edits of an existing format-2 or -3 archive (add, delete): one SQLite transaction
// with a rollback journal and full syncs, so a crash or kill at any point leaves the archive as it was before or
// as it is after, never in between (the journal, `ARCHIVE-journal`, is rolled back by the next open). Blocks
// already stored are never recoded or rewritten by add or delete: new blocks are appended, the catalog is
// replaced (in the layout of the archive's own format: an edit never changes the format), and blocks no entry
// needs any more go to SQLite's free list.
import { OctozipError } from '../errors.ts';
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { BlockTable } from './block-table.ts';
import { crc32 } from './checksum.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { HEADER_KEYS, type ArchiveHeader } from './header.ts';
import { sealHeader } from './header-seal.ts';
import { sqliteError } from './sqlite-errors.ts';
import type { ArchiveReader } from './reader.ts';
import type { BlockRecord, CatalogContent, EntryRecord, NewBlock } from './records.ts';
import { FIRST_SOLID_VERSION, catalogLayout } from './schema.ts';

export class ArchiveEditor {
  readonly archivePath: string;
  readonly #db: SqliteDatabase;
  readonly #cipher: ArchiveCipher | null;
  readonly #blocks: BlockTable;
  /** The archive's format version (its user_version), which the edit keeps. */
  readonly #formatVersion: number;
  #closed = false;

  private constructor(archivePath: string, db: SqliteDatabase, cipher: ArchiveCipher | null) {
    this.archivePath = archivePath;
    this.#db = db;
    this.#cipher = cipher;
    this.#formatVersion = db.pragma('user_version', { simple: true }) as number;
    this.#blocks = new BlockTable(db, cipher);
  }

  /** Edits keep an archive's format; format 1 is only read (compact converts it). */
  static assertEditable(reader: ArchiveReader): void {
    if (reader.formatVersion < FIRST_SOLID_VERSION) {
      throw new OctozipError(
        'unsupported-version',
        `${reader.archivePath} uses format version ${reader.formatVersion}, which this build reads but does not change; run "octozip compact" to convert it.`,
        { subject: reader.archivePath },
      );
    }
  }

  /**
   * Opens `archivePath` for editing. The caller has opened (and, if encrypted, unlocked) it with ArchiveReader
   * first and checked assertEditable, so the file is a sound format-2 or -3 archive and `cipher` is its own.
   */
  static open(archivePath: string, cipher: ArchiveCipher | null): ArchiveEditor {
    const db = openDatabase(archivePath);
    try {
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = FULL');
      // Encrypted archives: pages freed by an edit are zeroed, so removed entries leave no sealed residue.
      if (cipher) db.pragma('secure_delete = ON');
      db.exec('BEGIN IMMEDIATE');
      return new ArchiveEditor(archivePath, db, cipher);
    } catch (err) {
      db.close();
      throw sqliteError(err, archivePath, 'edit');
    }
  }

  /** Appends a newly coded block; returns its id. */
  addBlock(block: NewBlock): number {
    return this.#blocks.insert(block).id;
  }

  /**
   * Copies one data block from another archive (the staging archive of an add, written with this archive's own
   * keys) as it is: the codec output is not touched; sealed blobs are opened and sealed again, bound to their new
   * id. Returns the new id.
   */
  copyBlock(source: ArchiveReader, block: BlockRecord): number {
    const stored = source.storedPayload(block);
    if (crc32(stored) !== block.payloadCrc32) {
      throw new OctozipError('damaged', 'A block of the new files failed its checksum while being added.', { subject: this.archivePath });
    }
    const payload = source.openPayload(stored, block);
    const rawSha256 = Buffer.from(block.rawSha256 ?? '', 'hex');
    return this.#blocks.insert({ role: 'data', codec: block.codec as NewBlock['codec'], rawSize: block.rawSize, rawSha256, payload }, { hashKeyed: true }).id;
  }

  deleteBlocks(ids: Iterable<number>): void {
    this.#blocks.deleteBlocks(ids);
  }

  /** Replaces the catalog. */
  writeCatalog(entries: readonly EntryRecord[], contents: readonly CatalogContent[]): void {
    this.#blocks.writeCatalog(entries, contents, catalogLayout(this.#formatVersion));
  }

  /**
   * Records the codecs and models added blocks need; a codec's parameters must match what is there, except its
   * payloadVersion: each payload names its own version, so blocks of an older model revision stay beside new
   * ones, and the header keeps the newest.
   */
  mergeHeader(current: ArchiveHeader, added: ArchiveHeader): void {
    const codecParams = { ...current.codecParams };
    const settings = (params: Readonly<Record<string, unknown>>) => JSON.stringify({ ...params, payloadVersion: undefined });
    for (const [id, params] of Object.entries(added.codecParams)) {
      const existing = codecParams[id];
      if (existing && settings(existing) !== settings(params)) {
        throw new OctozipError(
          'input',
          `The archive's ${id} blocks were made with other settings (${JSON.stringify(existing)}); add with the archive's preset (${current.preset ?? 'unknown'}).`,
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
      if (this.#cipher) sealHeader(this.#db, this.#cipher, this.#formatVersion);
      this.#db.exec('COMMIT');
    } catch (err) {
      throw sqliteError(err, this.archivePath, 'edit');
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
