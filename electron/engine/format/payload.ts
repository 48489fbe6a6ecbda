// The single seam between a codec's output and the blob stored in the chunk table, and back.
// Identity today. Encryption (docs/FORMAT.md, "Reserved for encryption") replaces these two functions with
// an AEAD seal/open keyed per archive, using the chunk's identity as associated data, without the jobs changing.

/** Identifies a chunk, so a sealed payload can be bound to its place in the archive. */
export interface ChunkIdentity {
  contentId: number;
  seq: number;
}

/** Codec output -> stored blob. */
export function sealPayload(payload: Uint8Array, _chunk: ChunkIdentity): Uint8Array {
  return payload;
}

/** Stored blob -> codec input. Throws OctozipError('damaged' | 'wrong-password') once sealing exists. */
export function openPayload(stored: Uint8Array, _chunk: ChunkIdentity): Uint8Array {
  return stored;
}
