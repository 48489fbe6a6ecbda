// Reads an archive database of either format. Distrustful: every query may meet a crafted or damaged file, and
// every SQLite failure becomes an OctozipError that names the archive. Jobs see one model whatever the version:
// entries, contents as slices of blocks, and blocks (format 1's chunks are one-slice blocks, v1-tables.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { OctozipError } from '../errors.ts';
import { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { isSealedRole } from './block-table.ts';
import { decodeContentList, decodeEntryList } from './catalog.ts';
import { crc32 } from './checksum.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { headerFromRows, type ArchiveHeader } from './header.ts';
import { checkHeaderSeal } from './header-seal.ts';
import { guardSqlite } from './sqlite-errors.ts';
import { openStoredPayload } from './payload.ts';
import { BLOCK_ROLES, type BlockRecord, type BlockRole, type ContentRecord, type StoredEntry } from './records.ts';
import { APPLICATION_ID, FORMAT_VERSION, MAX_BLOCK_BYTES, OLDEST_READABLE_VERSION } from './schema.ts';
import { readV1Blocks, readV1Contents, readV1Entries } from './v1-tables.ts';

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
  readonly formatVersion: number;
  readonly #db: SqliteDatabase;
  #cipher: ArchiveCipher | null = null;
  #blocks: Map<number, BlockRecord> | null = null;
  #entries: StoredEntry[] | null = null;
  #contents: Map<number, ContentRecord> | null = null;
  #legacySha: Map<number, string> | null = null;

  private constructor(archivePath: string, db: SqliteDatabase, header: ArchiveHeader, formatVersion: number) {
    this.archivePath = archivePath;
    this.#db = db;
    this.header = header;
    this.formatVersion = formatVersion;
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
      const { header, version } = guardSqlite(archivePath, () => {
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
        if (version < OLDEST_READABLE_VERSION) {
          throw new OctozipError('not-an-archive', `${archivePath} has no valid format version.`, { subject: archivePath });
        }
        const rows = db.prepare('SELECT key, value FROM header').all() as { key: string; value: string }[];
        return { header: headerFromRows(rows, archivePath), version };
      });
      if (header.formatVersion !== version) {
        // Newer than this build: say so. Otherwise the two records of the version disagree: damage.
        const code = header.formatVersion > FORMAT_VERSION ? 'unsupported-version' : 'damaged';
        throw new OctozipError(code, `${archivePath} says format version ${header.formatVersion} in its header but ${version} in its file.`, {
          subject: archivePath,
        });
      }
      return new ArchiveReader(archivePath, db, header, version);
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

  /** Whether contents (sizes, slices, checks) can be read now: always, except in a locked encrypted archive. */
  get contentsReadable(): boolean {
    return !this.encrypted || this.#cipher !== null || this.formatVersion === 1;
  }

  /**
   * Encrypted archives: derives the keys (one scrypt run), checks the password against the stored key check
   * ('wrong-password' / 'password-required'), then the header MAC. A plain archive ignores any password.
   */
  async unlock(password: string | undefined): Promise<void> {
    if (this.header.encryption === null || this.#cipher !== null) return;
    const cipher = await ArchiveCipher.unlock(JSON.stringify(this.header.encryption), password, this.archivePath);
    if (this.formatVersion >= 2) this.blocks(); // rows are checked for shape before the MAC reads them
    guardSqlite(this.archivePath, () => checkHeaderSeal(this.#db, cipher, this.formatVersion, this.archivePath));
    this.#cipher = cipher;
    this.#entries = null;
    this.#contents = null;
  }

  /** Every block without its payload, by id (format 2: data blocks and the catalog's two; format 1: chunks). */
  blocks(): Map<number, BlockRecord> {
    this.#blocks ??= guardSqlite(this.archivePath, () => (this.formatVersion >= 2 ? this.#readBlocks() : readV1Blocks(this.#db, this.#cipher)));
    return this.#blocks;
  }

  #readBlocks(): Map<number, BlockRecord> {
    const rows = this.#db
      .prepare('SELECT id, role, codec, raw_size, raw_sha256, payload_crc32, length(payload) FROM block ORDER BY id')
      .raw()
      .all() as unknown[][];
    const blocks = new Map<number, BlockRecord>();
    for (const [id, role, codec, rawSize, rawSha, payloadCrc, payloadSize] of rows) {
      const block: BlockRecord = {
        id: Number(id),
        role: role as BlockRole,
        codec: String(codec),
        rawSize: Number(rawSize),
        rawSha256: rawSha instanceof Uint8Array && rawSha.length === 32 ? Buffer.from(rawSha).toString('hex') : '',
        rawCrc32: null,
        payloadCrc32: Number(payloadCrc),
        payloadSize: Number(payloadSize),
      };
      const where = `Block ${String(id)}`;
      if (!Number.isSafeInteger(block.id) || block.id <= 0) throw this.#damaged(`${where} has an impossible id.`);
      if (!BLOCK_ROLES.includes(block.role)) throw this.#damaged(`${where} has an unknown role.`);
      if (!(Number.isSafeInteger(block.rawSize) && block.rawSize > 0 && block.rawSize <= MAX_BLOCK_BYTES)) {
        throw this.#damaged(`${where} claims an impossible size (${String(rawSize)} bytes).`);
      }
      if (block.rawSha256 === '') throw this.#damaged(`${where} has no valid hash.`);
      if (!Number.isSafeInteger(block.payloadCrc32)) throw this.#damaged(`${where} has no valid checksum.`);
      blocks.set(block.id, block);
    }
    for (const role of ['entries', 'contents'] as const) {
      const count = [...blocks.values()].filter((b) => b.role === role).length;
      if (count !== 1) throw this.#damaged(`The archive holds ${count} ${role === 'entries' ? 'entry lists' : 'content lists'}, not one.`);
    }
    return blocks;
  }

  /** Whether blocks of this role are sealed in this archive (format 1: every chunk of an encrypted one). */
  #sealed(role: BlockRole): boolean {
    if (!this.encrypted) return false;
    if (this.formatVersion < 2) return true;
    return isSealedRole(role, { namesEncrypted: this.header.encryption?.['namesEncrypted'] === true });
  }

  #damaged(message: string): OctozipError {
    return new OctozipError('damaged', message, { subject: this.archivePath });
  }

  /** The entries in archive order. Needs the password when names are encrypted. */
  entries(): StoredEntry[] {
    if (this.#entries) return this.#entries;
    if (this.formatVersion >= 2) {
      this.#entries = this.#readCatalogEntries();
    } else {
      const { entries, sha256ByContent } = guardSqlite(this.archivePath, () => readV1Entries(this.#db, this.#cipher, this.archivePath));
      this.#entries = entries;
      this.#legacySha = this.#cipher ? sha256ByContent : null;
    }
    return this.#entries;
  }

  #readCatalogEntries(): StoredEntry[] {
    if (this.namesHidden) {
      throw new OctozipError('password-required', 'This archive hides its names: its password is needed to list it.', { subject: this.archivePath });
    }
    const list = decodeEntryList(this.#catalogBlock('entries'));
    return list.map((entry, i) => ({ ...entry, id: i + 1, metaIntact: true }));
  }

  /**
   * Contents by id, each checked against the blocks: its slices lie inside data blocks, and no two slices of the
   * archive overlap. A content that fails gets a `problem` (verify reports it per entry; extract refuses).
   */
  contents(): Map<number, ContentRecord> {
    if (this.#contents) return this.#contents;
    if (this.formatVersion >= 2) {
      if (!this.contentsReadable) {
        throw new OctozipError('password-required', 'This archive is encrypted: its password is needed to open it.', { subject: this.archivePath });
      }
      this.#contents = this.#readCatalogContents();
    } else {
      this.entries(); // encrypted format 1 keeps real hashes in the sealed entries
      this.#contents = guardSqlite(this.archivePath, () => readV1Contents(this.#db, this.blocks(), this.#legacySha, this.#cipher, this.encrypted));
    }
    return this.#contents;
  }

  #readCatalogContents(): Map<number, ContentRecord> {
    const blocks = this.blocks();
    // Layout 2 (format 3) takes most sizes from the entry list; the entries are readable whenever the contents are.
    const list = decodeContentList(this.#catalogBlock('contents'), () => this.entries());
    const contents = new Map<number, ContentRecord>();
    const claimed = new Map<number, { offset: number; end: number; content: number }[]>();
    for (const c of list) {
      let problem: string | undefined;
      let packed = 0;
      for (const slice of c.slices) {
        const block = blocks.get(slice.blockId);
        if (!block || block.role !== 'data') problem ??= `Content ${c.id} points at block ${slice.blockId}, which holds no file data.`;
        else if (slice.offset + slice.length > block.rawSize) problem ??= `Content ${c.id} points past the end of block ${slice.blockId}.`;
        else {
          packed += (block.payloadSize * slice.length) / block.rawSize;
          const list = claimed.get(slice.blockId) ?? [];
          list.push({ offset: slice.offset, end: slice.offset + slice.length, content: c.id });
          claimed.set(slice.blockId, list);
        }
      }
      contents.set(c.id, { id: c.id, size: c.size, slices: c.slices, crc32: c.crc32, sha256: null, packedSize: Math.round(packed), ...(problem ? { problem } : {}) });
    }
    // Two contents sharing bytes means a crafted or damaged list (identical files share one content instead).
    for (const [blockId, ranges] of claimed) {
      ranges.sort((a, b) => a.offset - b.offset);
      for (let i = 1; i < ranges.length; i++) {
        if (ranges[i]!.offset < ranges[i - 1]!.end) {
          for (const id of [ranges[i]!.content, ranges[i - 1]!.content]) {
            const c = contents.get(id)!;
            c.problem ??= `Content ${id} overlaps another in block ${blockId}.`;
          }
        }
      }
    }
    return contents;
  }

  /** A catalog block's decoded bytes, fully checked: payload CRC, seal, codec (brotli or store only), size, hash. */
  #catalogBlock(role: 'entries' | 'contents'): Uint8Array {
    const block = [...this.blocks().values()].find((b) => b.role === role)!;
    const what = role === 'entries' ? 'entry list' : 'content list';
    const stored = this.storedPayload(block);
    if (crc32(stored) !== block.payloadCrc32) throw this.#damaged(`The archive's ${what} fails its checksum.`);
    const payload = this.openPayload(stored, block);
    let raw: Uint8Array;
    if (block.codec === 'store') raw = payload;
    else if (block.codec === 'brotli') {
      try {
        raw = zlib.brotliDecompressSync(payload, { maxOutputLength: block.rawSize });
      } catch {
        throw this.#damaged(`The archive's ${what} does not decode.`);
      }
    } else throw this.#damaged(`The archive's ${what} names the codec "${block.codec}", which a catalog never uses.`);
    if (raw.length !== block.rawSize || this.rawHash(raw, block) !== block.rawSha256) throw this.#damaged(`The archive's ${what} fails its hash.`);
    return raw;
  }

  /** The hash of decoded bytes as this archive stores it for `block` (keyed when the block is sealed). */
  rawHash(raw: Uint8Array, block: BlockRecord): string {
    const sha = crypto.createHash('sha256').update(raw).digest();
    if (!this.#sealed(block.role)) return sha.toString('hex');
    // Locked: a keyed hash cannot be computed; '' never equals a stored hash, so nothing passes unchecked.
    return this.#cipher ? this.#cipher.fingerprint(sha) : '';
  }

  /** The stored blob (not yet opened); callers check payloadCrc32 before trusting it. */
  storedPayload(block: BlockRecord): Uint8Array {
    const table = this.formatVersion >= 2 ? 'block' : 'chunk';
    return guardSqlite(this.archivePath, () => {
      const row = this.#db.prepare(`SELECT payload FROM ${table} WHERE id = ?`).get(block.id) as { payload: unknown } | undefined;
      if (!row || !(row.payload instanceof Uint8Array)) throw this.#damaged(`Block ${block.id} has no payload.`);
      return row.payload;
    });
  }

  /** Codec input for a stored blob. */
  openPayload(stored: Uint8Array, block: BlockRecord): Uint8Array {
    if (!this.#sealed(block.role)) return stored;
    if (!this.#cipher) {
      throw new OctozipError('password-required', 'This archive is encrypted: its password is needed to open it.', { subject: this.archivePath });
    }
    return openStoredPayload(stored, block, this.#cipher, this.archivePath);
  }

  /**
   * Totals for info, without decoding any file data: packedBytes is the file data's stored size (data blocks), so
   * the rest of the archive file is structure (catalog and SQLite pages). A locked archive that hides its names
   * counts no entries.
   */
  stats(): { entries: number; files: number; rawBytes: number; packedBytes: number } {
    const packedBytes = [...this.blocks().values()].filter((b) => b.role === 'data').reduce((sum, b) => sum + b.payloadSize, 0);
    if (this.formatVersion >= 2 && this.namesHidden) return { entries: 0, files: 0, rawBytes: 0, packedBytes };
    const entries = this.entries();
    const files = entries.filter((e) => e.type === 'file');
    return { entries: entries.length, files: files.length, rawBytes: files.reduce((sum, e) => sum + e.size, 0), packedBytes };
  }

  codecsUsed(): string[] {
    return [...new Set([...this.blocks().values()].filter((b) => b.role === 'data').map((b) => b.codec))].sort();
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
