// Reading a format-2 archive's block table from tests the way the sqlite3 shell would: rows as stored, payloads
// by digest, and which blocks an entry's bytes lie in (through the engine's own reader, since the catalog is coded).
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { ArchiveReader } from '../../electron/engine/format/reader.ts';

export interface BlockRow {
  id: number;
  role: string;
  codec: string;
  rawSize: number;
  /** Hex of the stored raw_sha256 (keyed when the block is sealed). */
  rawSha256: string;
  payloadCrc32: number;
  payloadBytes: number;
  /** SHA-256 hex of the stored payload blob: equal digests mean the stored bytes were not rewritten. */
  payloadSha256: string;
}

export function blockRows(archivePath: string, role?: 'data' | 'entries' | 'contents'): BlockRow[] {
  const db = new Database(archivePath, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT id, role, codec, raw_size, raw_sha256, payload_crc32, payload FROM block ORDER BY id')
      .all() as { id: number; role: string; codec: string; raw_size: number; raw_sha256: Buffer; payload_crc32: number; payload: Buffer }[];
    return rows
      .filter((r) => role === undefined || r.role === role)
      .map((r) => ({
        id: r.id,
        role: r.role,
        codec: r.codec,
        rawSize: r.raw_size,
        rawSha256: r.raw_sha256.toString('hex'),
        payloadCrc32: r.payload_crc32,
        payloadBytes: r.payload.length,
        payloadSha256: crypto.createHash('sha256').update(r.payload).digest('hex'),
      }));
  } finally {
    db.close();
  }
}

/** Data block rows by id, each as one comparable string (every column, the payload by digest). */
export function storedDataBlocks(archivePath: string): Map<number, string> {
  return new Map(blockRows(archivePath, 'data').map((b) => [b.id, JSON.stringify(b)]));
}

export function headerRows(archivePath: string): Record<string, string> {
  const db = new Database(archivePath, { readonly: true });
  try {
    const rows = db.prepare('SELECT key, value FROM header ORDER BY key').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  } finally {
    db.close();
  }
}

/** The ids of the data blocks holding an entry's bytes, in order, read through the engine's reader. */
export async function blocksOfEntry(archivePath: string, entryPath: string, password?: string): Promise<number[]> {
  const reader = ArchiveReader.open(archivePath);
  try {
    await reader.unlock(password);
    const entry = reader.entries().find((e) => e.path === entryPath);
    if (!entry || entry.contentId === null) throw new Error(`${entryPath} is not a file of ${archivePath}`);
    return reader.contents().get(entry.contentId)!.slices.map((s) => s.blockId);
  } finally {
    reader.close();
  }
}

/**
 * Everything a reader without the password could get out of the file: its bytes, plus every block payload
 * decoded with brotli where it decodes (catalog blocks are brotli, so a visible name is only readable this way).
 */
export function readableBytes(archivePath: string): Buffer {
  const db = new Database(archivePath, { readonly: true });
  try {
    const payloads = (db.prepare('SELECT payload FROM block').all() as { payload: Buffer }[]).map((r) => r.payload);
    const decoded = payloads.flatMap((p) => {
      try {
        return [zlib.brotliDecompressSync(p)];
      } catch {
        return [];
      }
    });
    return Buffer.concat([fs.readFileSync(archivePath), ...decoded]);
  } finally {
    db.close();
  }
}
