// The header MAC of an encrypted archive: HMAC-SHA256 over every header row except itself, plus a digest of
// the rows it depends on: formats 2 and 3, every block row's id, role, codec, raw size, raw hash and payload checksum
// in id order; format 1, the entry rows (ids and sealed blobs). Editing the header (say, to weaken the KDF or
// drop the encryption record's namesEncrypted flag), or removing, swapping or rolling back blocks (the catalog
// among them) or entry rows, breaks it.
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { canonicalBytes } from '../crypto/canonical-bytes.ts';
import type { SqliteDatabase } from './database.ts';

export const HEADER_MAC_KEY = 'header_mac';

function authenticatedPairs(db: SqliteDatabase, cipher: ArchiveCipher, formatVersion: number): [string, string][] {
  const rows = db.prepare('SELECT key, value FROM header WHERE key != ? ORDER BY key').all(HEADER_MAC_KEY) as {
    key: unknown;
    value: unknown;
  }[];
  const digest = cipher.entryListDigest();
  let label: string;
  if (formatVersion >= 2) {
    label = 'block list';
    const blocks = db.prepare('SELECT id, role, codec, raw_size, raw_sha256, payload_crc32 FROM block ORDER BY id').raw().iterate() as Iterable<unknown[]>;
    for (const [id, role, codec, rawSize, rawSha, payloadCrc] of blocks) {
      const fields = [String(role), String(codec), Number(rawSize), rawSha instanceof Uint8Array ? rawSha : new Uint8Array(0), Number(payloadCrc)] as const;
      digest.add(Number(id), canonicalBytes(fields.map((f) => (typeof f === 'number' && !Number.isSafeInteger(f) ? -1 : f))));
    }
  } else {
    label = 'entry list';
    for (const row of db.prepare('SELECT id, sealed FROM entry ORDER BY id').iterate() as Iterable<{ id: number; sealed: unknown }>) {
      digest.add(Number(row.id), row.sealed instanceof Uint8Array ? row.sealed : new Uint8Array(0));
    }
  }
  // The digest's key cannot collide with a header row: header keys never contain a space.
  return [...rows.map((r) => [String(r.key), String(r.value)] as [string, string]), [label, digest.finish()]];
}

/** Writes (or rewrites) the header MAC; call last, inside the transaction that changed header or entries. */
export function sealHeader(db: SqliteDatabase, cipher: ArchiveCipher, formatVersion: number): void {
  const mac = cipher.headerMac(authenticatedPairs(db, cipher, formatVersion));
  db.prepare('INSERT OR REPLACE INTO header (key, value) VALUES (?, ?)').run(HEADER_MAC_KEY, JSON.stringify(mac));
}

/** Throws OctozipError 'damaged' unless the stored MAC matches. */
export function checkHeaderSeal(db: SqliteDatabase, cipher: ArchiveCipher, formatVersion: number, archivePath: string): void {
  const row = db.prepare('SELECT value FROM header WHERE key = ?').get(HEADER_MAC_KEY) as { value: unknown } | undefined;
  let mac: string | undefined;
  try {
    mac = row ? (JSON.parse(String(row.value)) as string) : undefined;
  } catch {
    mac = undefined;
  }
  cipher.verifyHeaderMac(authenticatedPairs(db, cipher, formatVersion), typeof mac === 'string' ? mac : undefined, archivePath);
}
