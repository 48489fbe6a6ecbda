// The single seam between a codec's output and the blob stored in the chunk table, and back.
// Without a password: identity. With one: AES-256-GCM per chunk (crypto/archive-cipher.ts), bound to the chunk's
// place (content, sequence, codec, raw size), so a blob that was altered, moved or relabelled fails to open.
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';

/** Identifies a chunk, so a sealed payload can be bound to its place in the archive. */
export interface ChunkIdentity {
  contentId: number;
  seq: number;
  codec: string;
  rawSize: number;
}

function placeOf(chunk: ChunkIdentity) {
  return { contentId: chunk.contentId, sequence: chunk.seq, codec: chunk.codec, rawSize: chunk.rawSize };
}

/** Codec output -> stored blob. */
export function sealPayload(payload: Uint8Array, chunk: ChunkIdentity, cipher: ArchiveCipher | null): Uint8Array {
  return cipher ? cipher.sealChunk(placeOf(chunk), payload) : payload;
}

/** Stored blob -> codec input. Throws OctozipError('damaged') when an encrypted blob fails authentication. */
export function openPayload(stored: Uint8Array, chunk: ChunkIdentity, cipher: ArchiveCipher | null, subject?: string): Uint8Array {
  return cipher ? cipher.openChunk(placeOf(chunk), stored, subject) : stored;
}

/** The CRC-32 of a chunk's raw bytes as stored: masked per seal when encrypted (it would leak plaintext). */
export function storedRawCrc(crc: number, chunk: ChunkIdentity, stored: Uint8Array, cipher: ArchiveCipher | null): number {
  return cipher ? cipher.maskRawCrc(crc, placeOf(chunk), stored) : crc;
}
