// Rows of the archive as the jobs see them, independent of SQL and of the format version that stored them.
import type { CodecId, EntryType } from '../api.ts';

/** Entry metadata; the one shape written by ArchiveWriter and read by ArchiveReader.entries. */
export interface EntryRecord {
  path: string;
  type: EntryType;
  mode: number;
  mtimeMs: number;
  size: number;
  /** Files: the content holding the bytes (shared by identical files); null otherwise. */
  contentId: number | null;
  linkTarget: string | null;
}

export interface StoredEntry extends EntryRecord {
  id: number;
  /** False when the metadata no longer matches its checksum: a name, mode, time or link target was damaged. */
  metaIntact: boolean;
}

/** A run of a content's bytes inside one data block's decoded bytes. */
export interface Slice {
  blockId: number;
  offset: number;
  length: number;
}

/** A content as the catalog stores it (format 2). */
export interface CatalogContent {
  id: number;
  size: number;
  crc32: number;
  slices: Slice[];
}

/** The bytes of one or more identical files, as slices of blocks, with the checks the archive holds for them. */
export interface ContentRecord {
  id: number;
  size: number;
  /** In order; they add up to size. Checked against the blocks by the reader. */
  slices: Slice[];
  /** Format 2: CRC-32 of the whole content. */
  crc32: number | null;
  /** Format 1: SHA-256 hex of the whole content ('' while an encrypted archive is locked). */
  sha256: string | null;
  /** This content's share of its blocks' stored bytes (exact in format 1, proportional in solid blocks). */
  packedSize: number;
  /** Set when the archive's record of this content is impossible (slices outside their blocks, gaps): why. */
  problem?: string;
}

/** What a block holds: file bytes, or one of the two halves of the catalog. */
export type BlockRole = 'data' | 'entries' | 'contents';
export const BLOCK_ROLES: readonly BlockRole[] = ['data', 'entries', 'contents'];

/** A block without its payload. `codec` is a string: a crafted archive may name a codec that does not exist. */
export interface BlockRecord {
  id: number;
  role: BlockRole;
  codec: string;
  rawSize: number;
  /** Format 2: SHA-256 hex of the decoded bytes (keyed, see ArchiveCipher.fingerprint, when encrypted). */
  rawSha256: string | null;
  /** Format 1 chunks: CRC-32 of the decoded bytes (unmasked). */
  rawCrc32: number | null;
  payloadCrc32: number;
  payloadSize: number;
  /** Format 1 chunks: where the chunk sat, which an encrypted chunk's seal is bound to. */
  legacyPlace?: { contentId: number; seq: number };
}

export interface NewBlock {
  role: BlockRole;
  codec: CodecId;
  rawSize: number;
  /** SHA-256 of the raw bytes (binary). */
  rawSha256: Uint8Array;
  /** Codec output; sealed on the way in when the archive is encrypted. */
  payload: Uint8Array;
}
