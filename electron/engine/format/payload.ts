// The single seam between a codec's output and the blob stored in the archive, and back.
// Without a password: identity. With one: AES-256-GCM per blob (crypto/archive-cipher.ts), bound to the blob's
// place, so a blob that was altered, moved or relabelled fails to open. Format 2 stores blocks; format 1 stored
// chunks bound to (content, sequence), which are only ever opened now.
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import type { BlockRecord } from './records.ts';

/** What a format-2 block's seal is bound to. */
export interface BlockIdentity {
  blockId: number;
  role: string;
  codec: string;
  rawSize: number;
}

/** Codec output -> stored blob (format 2). */
export function sealBlockPayload(payload: Uint8Array, block: BlockIdentity, cipher: ArchiveCipher | null): Uint8Array {
  return cipher ? cipher.sealBlock(block, payload) : payload;
}

/** Stored blob -> codec input, for a block of either format. Throws OctozipError('damaged') when authentication fails. */
export function openStoredPayload(stored: Uint8Array, block: BlockRecord, cipher: ArchiveCipher | null, subject?: string): Uint8Array {
  if (!cipher) return stored;
  if (block.legacyPlace) {
    const place = { contentId: block.legacyPlace.contentId, sequence: block.legacyPlace.seq, codec: block.codec, rawSize: block.rawSize };
    return cipher.openChunk(place, stored, subject);
  }
  return cipher.openBlock({ blockId: block.id, role: block.role, codec: block.codec, rawSize: block.rawSize }, stored, subject);
}

/** Format 1: the CRC-32 of a chunk's raw bytes as stored, masked per seal when encrypted; the same call unmasks. */
export function legacyRawCrc(crc: number, place: { contentId: number; seq: number; codec: string; rawSize: number }, stored: Uint8Array, cipher: ArchiveCipher | null): number {
  return cipher ? cipher.maskRawCrc(crc, { contentId: place.contentId, sequence: place.seq, codec: place.codec, rawSize: place.rawSize }, stored) : crc;
}
