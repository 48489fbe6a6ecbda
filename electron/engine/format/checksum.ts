// CRC-32 (IEEE, the zlib/PNG polynomial) for payloads and for each file's bytes. It detects every single-bit and
// every burst error up to 32 bits, which is the property verify promises for payloads, and runs at memory speed.
// Whole blocks are additionally covered by SHA-256, so CRC-32's 2^-32 miss rate on random damage is backed up.
// Node >= 20.15 ships zlib.crc32 (native); older Node 20 releases fall back to the table version below.
import zlib from 'node:zlib';

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Portable CRC-32; exported so a test can hold it equal to the native one. */
export function crc32Portable(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of bytes as an unsigned 32-bit integer; `previous` continues the CRC of the bytes before these. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return nativeCrc32 ? nativeCrc32(bytes, previous) >>> 0 : crc32Portable(bytes, previous);
}

/**
 * Checksum of an entry row's metadata (path, type, mode, mtime_ms, size, content_id, link_target, in that
 * order): CRC-32 of their JSON array. Payloads have their own checksums; this covers the names and
 * attributes, so a flipped bit in a name or a link target is found too.
 */
export function entryMetaChecksum(row: readonly unknown[]): number {
  return crc32(Buffer.from(JSON.stringify(row), 'utf8'));
}
