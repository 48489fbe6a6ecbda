// Rows of the archive as the jobs see them, independent of SQL.
import type { CodecId, EntryType } from '../api.ts';

/** Entry metadata; the one shape written and read by ArchiveWriter.addEntry / ArchiveReader.entries. */
export interface EntryRecord {
  path: string;
  type: EntryType;
  mode: number;
  mtimeMs: number;
  size: number;
  contentId: number | null;
  linkTarget: string | null;
}

export interface StoredEntry extends EntryRecord {
  id: number;
  /** False when the row no longer matches its meta_crc32: a name, mode, time or link target was damaged. */
  metaIntact: boolean;
  /** Encrypted archives: the content's SHA-256 from the sealed metadata (the content table holds a keyed fingerprint). */
  sha256?: string;
}

export interface ContentRecord {
  id: number;
  sha256: string;
  size: number;
  chunkCount: number;
  packedSize: number;
}

/** A chunk without its payload. `codec` is a string: a crafted archive may name a codec that does not exist. */
export interface ChunkRecord {
  id: number;
  contentId: number;
  seq: number;
  rawOffset: number;
  rawSize: number;
  codec: string;
  rawCrc32: number;
  payloadCrc32: number;
  payloadSize: number;
}

export interface NewChunk {
  contentId: number;
  seq: number;
  rawOffset: number;
  rawSize: number;
  codec: CodecId;
  rawCrc32: number;
  /** Codec output; sealed by ./payload.ts on the way in. */
  payload: Uint8Array;
}
