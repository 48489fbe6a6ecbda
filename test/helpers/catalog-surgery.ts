// Edits a format-2 archive the way a deliberate attacker would: decode the catalog with the engine's own
// decoders, change one thing, re-encode, and store it back with a correct payload_crc32, raw_size and
// raw_sha256, so every check that only catches random damage passes and only the crafted part differs.
// Works on plain (unencrypted) archives; sealed blocks would need the keys.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type Database from 'better-sqlite3';
import { ByteReader, ByteWriter } from '../../electron/engine/format/byte-stream.ts';
import { decodeContentList, decodeEntryList, encodeContentList, encodeEntryList } from '../../electron/engine/format/catalog.ts';
import { crc32 } from '../../electron/engine/format/checksum.ts';
import type { CatalogContent, EntryRecord } from '../../electron/engine/format/records.ts';

export type CatalogRole = 'entries' | 'contents';

export interface BlockRow {
  id: number;
  role: string;
  codec: string;
  raw_size: number;
  payload_crc32: number;
  payload_size: number;
}

export function blockRows(db: Database.Database): BlockRow[] {
  return db.prepare('SELECT id, role, codec, raw_size, payload_crc32, length(payload) AS payload_size FROM block ORDER BY id').all() as BlockRow[];
}

export function catalogBlockId(db: Database.Database, role: CatalogRole): number {
  const row = db.prepare('SELECT id FROM block WHERE role = ?').get(role) as { id: number } | undefined;
  if (!row) throw new Error(`the base archive has no ${role} block`);
  return row.id;
}

/** A block's decoded bytes (plain archives only: store and brotli, the codecs a catalog may use). */
export function decodedBlock(db: Database.Database, id: number): Buffer {
  const row = db.prepare('SELECT codec, payload FROM block WHERE id = ?').get(id) as { codec: string; payload: Buffer };
  if (row.codec === 'store') return row.payload;
  if (row.codec === 'brotli') return zlib.brotliDecompressSync(row.payload);
  throw new Error(`cannot decode a ${row.codec} block in a test`);
}

export function sha256(bytes: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(bytes).digest();
}

export function brotli(raw: Uint8Array): Buffer {
  return zlib.brotliCompressSync(raw);
}

/** Stores `raw` as block `id`'s content with every checksum right; `codec` says how it is coded (store or brotli). */
export function storeBlock(db: Database.Database, id: number, raw: Uint8Array, codec: 'store' | 'brotli' = 'brotli'): void {
  const payload = codec === 'brotli' ? brotli(raw) : Buffer.from(raw);
  db.prepare('UPDATE block SET codec = ?, raw_size = ?, raw_sha256 = ?, payload_crc32 = ?, payload = ? WHERE id = ?').run(
    codec,
    raw.length,
    sha256(raw),
    crc32(payload),
    payload,
    id,
  );
}

/** Adds a block row whose checksums match its payload; returns its id. */
export function insertBlock(db: Database.Database, block: { role: string; codec: string; rawSize: number; rawSha256: Uint8Array; payload: Uint8Array; id?: number }): number {
  const id = block.id ?? (db.prepare('SELECT max(id) + 1 AS id FROM block').get() as { id: number }).id;
  db.prepare('INSERT INTO block (id, role, codec, raw_size, raw_sha256, payload_crc32, payload) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    id,
    block.role,
    block.codec,
    block.rawSize,
    block.rawSha256,
    crc32(block.payload),
    block.payload,
  );
  return id;
}

export function readEntries(db: Database.Database): EntryRecord[] {
  return decodeEntryList(decodedBlock(db, catalogBlockId(db, 'entries')));
}

/** Layout 2 (format 3) codes sizes against the entry list, so it is decoded with the archive's entries. */
export function readContents(db: Database.Database): CatalogContent[] {
  return decodeContentList(decodedBlock(db, catalogBlockId(db, 'contents')), () => readEntries(db));
}

/**
 * Makes a plain format-3 archive the format-2 archive the previous writer would have made of the same tree:
 * format 2 differs only in its content list's layout (1: every size stored), and in the version records.
 */
export function rewriteAsFormat2(db: Database.Database): void {
  const entries = readEntries(db);
  const contents = readContents(db);
  storeBlock(db, catalogBlockId(db, 'entries'), encodeEntryList(entries, 1));
  storeBlock(db, catalogBlockId(db, 'contents'), encodeContentList(contents, 1, []));
  db.pragma('user_version = 2');
  db.exec("UPDATE header SET value = '2' WHERE key = 'format_version'");
}

/** Decodes the entry list, lets `edit` change it in place, and stores it back. */
export function rewriteEntries(db: Database.Database, edit: (entries: EntryRecord[]) => unknown): void {
  const entries = readEntries(db);
  const layout = decodedBlock(db, catalogBlockId(db, 'entries'))[0] === 1 ? 1 : 2;
  edit(entries);
  storeBlock(db, catalogBlockId(db, 'entries'), encodeEntryList(entries, layout));
}

/** Decodes the content list, lets `edit` change it in place, and stores it back. */
export function rewriteContents(db: Database.Database, edit: (contents: CatalogContent[]) => unknown): void {
  const contents = readContents(db);
  const layout = decodedBlock(db, catalogBlockId(db, 'contents'))[0] === 1 ? 1 : 2;
  edit(contents);
  storeBlock(db, catalogBlockId(db, 'contents'), encodeContentList(contents, layout, readEntries(db)));
}

/**
 * A catalog list split into its layout version, count and columns (format/catalog.ts), so a case can put bytes
 * in one column that no encoder would write (invalid UTF-8, an overlong varint, a count that lies).
 */
export interface ListColumns {
  version: number;
  count: number;
  columns: Uint8Array[];
}

export function splitList(raw: Uint8Array, columnCount: number): ListColumns {
  const reader = new ByteReader(raw, 'test');
  const version = reader.byte();
  const count = reader.varint();
  const columns = Array.from({ length: columnCount }, () => reader.chunk());
  reader.end();
  return { version, count, columns };
}

export function joinList(list: ListColumns): Uint8Array {
  const out = new ByteWriter();
  out.byte(list.version);
  out.varint(list.count);
  for (const column of list.columns) out.chunk(column);
  return out.finish();
}

/**
 * A names column in either layout from each name's shared byte count and rest, which need not be consistent
 * (a case may want a count larger than the previous name, or a rest no encoder would write).
 */
export function namesColumn(layout: number, names: readonly { shared: number; rest: Uint8Array }[]): Uint8Array {
  const column = new ByteWriter();
  if (layout === 1) {
    for (const { shared, rest } of names) {
      column.varint(shared);
      column.chunk(rest);
    }
    return column.finish();
  }
  const shares = new ByteWriter();
  for (const { shared, rest } of names) {
    shares.varint(shared);
    column.bytes(rest);
    column.byte(0);
  }
  const both = new ByteWriter();
  both.chunk(shares.finish());
  both.bytes(column.finish());
  return both.finish();
}

/** Entry list columns, in order (format/catalog.ts). */
export const ENTRY_COLUMNS = { types: 0, names: 1, modes: 2, mtimes: 3, sizes: 4, contents: 5, links: 6 } as const;
/** Content list columns, in order. */
export const CONTENT_COLUMNS = { sizes: 0, crcs: 1, slices: 2 } as const;

/** Replaces the raw entry list with `edit` applied to its columns; checksums are made right. */
export function rewriteEntryColumns(db: Database.Database, edit: (list: ListColumns) => unknown): void {
  const id = catalogBlockId(db, 'entries');
  const list = splitList(decodedBlock(db, id), 7);
  edit(list);
  storeBlock(db, id, joinList(list));
}

export function rewriteContentColumns(db: Database.Database, edit: (list: ListColumns) => unknown): void {
  const id = catalogBlockId(db, 'contents');
  const list = splitList(decodedBlock(db, id), 3);
  edit(list);
  storeBlock(db, id, joinList(list));
}

