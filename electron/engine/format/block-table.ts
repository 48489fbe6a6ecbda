// The one place block rows are written, for new archives (writer.ts) and in-place edits (archive-editor.ts):
// ids, sealing, checksums, and the catalog's two blocks.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { type CatalogLayout, encodeContentList, encodeEntryList } from './catalog.ts';
import { crc32 } from './checksum.ts';
import type { SqliteDatabase } from './database.ts';
import { sealBlockPayload } from './payload.ts';
import type { BlockRole, CatalogContent, EntryRecord, NewBlock } from './records.ts';

/**
 * Which blocks are sealed: every block of an encrypted archive, except the entry list when names stay visible
 * (listing then needs no password; the header MAC still covers it). A sealed block's raw hash is keyed.
 */
export function isSealedRole(role: BlockRole, encryption: { namesEncrypted: boolean } | null): boolean {
  return encryption !== null && (role !== 'entries' || encryption.namesEncrypted);
}

/** The catalog is coded with brotli (or stored, if smaller): it decodes in milliseconds, so listing stays instant. */
const CATALOG_BROTLI = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 },
};

export class BlockTable {
  readonly #cipher: ArchiveCipher | null;
  readonly #insert;
  readonly #db: SqliteDatabase;
  #nextId: number;

  constructor(db: SqliteDatabase, cipher: ArchiveCipher | null) {
    this.#db = db;
    this.#cipher = cipher;
    this.#insert = db.prepare(
      'INSERT INTO block (id, role, codec, raw_size, raw_sha256, payload_crc32, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // A deleted block's id may come back; an old sealed blob put back under it still fails, because the header
    // MAC covers every block row's id, hash and payload checksum (header-seal.ts).
    this.#nextId = Number((db.prepare('SELECT coalesce(max(id), 0) AS m FROM block').get() as { m: number }).m) + 1;
  }

  /**
   * Stores one block; returns its id and the stored payload size. `hashKeyed`: rawSha256 is already in stored
   * form (a block copied from an archive sharing these keys).
   */
  insert(block: NewBlock, options: { hashKeyed?: boolean } = {}): { id: number; storedSize: number } {
    const id = this.#nextId++;
    const sealed = isSealedRole(block.role, this.#cipher);
    const identity = { blockId: id, role: block.role, codec: block.codec, rawSize: block.rawSize };
    const stored = sealBlockPayload(block.payload, identity, sealed ? this.#cipher : null);
    const rawSha = sealed && !options.hashKeyed ? Buffer.from(this.#cipher!.fingerprint(block.rawSha256), 'hex') : block.rawSha256;
    this.#insert.run(id, block.role, block.codec, block.rawSize, rawSha, crc32(stored), stored);
    return { id, storedSize: stored.length };
  }

  /**
   * Replaces the catalog (entry list and content list) with these, in the layout of the
   * archive's format (catalogLayout); returns the stored bytes it took.
   */
  writeCatalog(entries: readonly EntryRecord[], contents: readonly CatalogContent[], layout: CatalogLayout): number {
    this.#db.prepare("DELETE FROM block WHERE role IN ('entries', 'contents')").run();
    let stored = 0;
    for (const [role, raw] of [
      ['entries', encodeEntryList(entries, layout)],
      ['contents', encodeContentList(contents, layout, entries)],
    ] as const) {
      const brotli = zlib.brotliCompressSync(raw, CATALOG_BROTLI);
      const useBrotli = brotli.length < raw.length;
      stored += this.insert({
        role,
        codec: useBrotli ? 'brotli' : 'store',
        rawSize: raw.length,
        rawSha256: crypto.createHash('sha256').update(raw).digest(),
        payload: useBrotli ? brotli : raw,
      }).storedSize;
    }
    return stored;
  }

  deleteBlocks(ids: Iterable<number>): void {
    const del = this.#db.prepare("DELETE FROM block WHERE id = ? AND role = 'data'");
    for (const id of ids) del.run(id);
  }
}
