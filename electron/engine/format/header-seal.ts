// The header MAC of an encrypted archive: HMAC-SHA256 over every header row except itself, plus a digest of
// the entry list (ids and sealed blobs in id order). Editing the header (say, to weaken the KDF or drop the
// encryption record's namesEncrypted flag), or removing, duplicating or rolling back entry rows, breaks it.
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import type { SqliteDatabase } from './database.ts';

export const HEADER_MAC_KEY = 'header_mac';

function authenticatedPairs(db: SqliteDatabase, cipher: ArchiveCipher): [string, string][] {
  const rows = db.prepare('SELECT key, value FROM header WHERE key != ? ORDER BY key').all(HEADER_MAC_KEY) as {
    key: unknown;
    value: unknown;
  }[];
  const digest = cipher.entryListDigest();
  for (const row of db.prepare('SELECT id, sealed FROM entry ORDER BY id').iterate() as Iterable<{ id: number; sealed: unknown }>) {
    digest.add(Number(row.id), row.sealed instanceof Uint8Array ? row.sealed : new Uint8Array(0));
  }
  // The digest's key cannot collide with a header row: header keys never contain a space.
  return [...rows.map((r) => [String(r.key), String(r.value)] as [string, string]), ['entry list', digest.finish()]];
}

/** Writes (or rewrites) the header MAC; call last, inside the transaction that changed header or entries. */
export function sealHeader(db: SqliteDatabase, cipher: ArchiveCipher): void {
  const mac = cipher.headerMac(authenticatedPairs(db, cipher));
  db.prepare('INSERT OR REPLACE INTO header (key, value) VALUES (?, ?)').run(HEADER_MAC_KEY, JSON.stringify(mac));
}

/** Throws OctozipError 'damaged' unless the stored MAC matches. */
export function checkHeaderSeal(db: SqliteDatabase, cipher: ArchiveCipher, archivePath: string): void {
  const row = db.prepare('SELECT value FROM header WHERE key = ?').get(HEADER_MAC_KEY) as { value: unknown } | undefined;
  let mac: string | undefined;
  try {
    mac = row ? (JSON.parse(String(row.value)) as string) : undefined;
  } catch {
    mac = undefined;
  }
  cipher.verifyHeaderMac(authenticatedPairs(db, cipher), typeof mac === 'string' ? mac : undefined, archivePath);
}
