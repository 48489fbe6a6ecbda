// Reading format 1 (one content row and chunk rows per file; docs/FORMAT.md, "Format 1"), presented as the same
// records format 2 gives: each chunk is a block of its own, each content one slice per chunk. Archives made
// before solid blocks keep opening, listing, extracting and verifying; edits need format 2 or later.
import { OctozipError } from '../errors.ts';
import type { ArchiveCipher } from '../crypto/archive-cipher.ts';
import { recoverEntry } from '../crypto/entry-protection.ts';
import { entryMetaChecksum } from './checksum.ts';
import type { SqliteDatabase } from './database.ts';
import { legacyRawCrc } from './payload.ts';
import type { BlockRecord, ContentRecord, StoredEntry } from './records.ts';
import { MAX_BLOCK_BYTES } from './schema.ts';

/** Entries in id order; encrypted rows are opened and checked against their sealed copy. */
export function readV1Entries(db: SqliteDatabase, cipher: ArchiveCipher | null, archivePath: string): { entries: StoredEntry[]; sha256ByContent: Map<number, string> } {
  const rows = db
    .prepare(`SELECT id, path, type, mode, mtime_ms, size, content_id, link_target, meta_crc32${cipher ? ', sealed' : ''} FROM entry ORDER BY id`)
    .raw()
    .all() as [number, unknown, unknown, number, number, number, number | null, unknown, number, unknown?][];
  const sha256ByContent = new Map<number, string>();
  const entries = rows.map(([id, path, type, mode, mtimeMs, size, contentId, linkTarget, metaCrc32, sealedBlob]): StoredEntry => {
    if (typeof path !== 'string' || (type !== 'file' && type !== 'directory' && type !== 'symlink')) {
      throw new OctozipError('damaged', `Entry ${id} has an invalid path or type.`, { subject: archivePath });
    }
    const columns = {
      path,
      type: type as StoredEntry['type'],
      mode: Number(mode),
      mtimeMs: Number(mtimeMs),
      size: Number(size),
      contentId: contentId === null ? null : Number(contentId),
      linkTarget: typeof linkTarget === 'string' ? linkTarget : null,
    };
    if (cipher) {
      const sealed = recoverEntry(cipher, Number(id), columns, sealedBlob, archivePath);
      if (columns.contentId !== null && sealed.sha256 !== undefined) {
        const known = sha256ByContent.get(columns.contentId);
        if (known !== undefined && known !== sealed.sha256) {
          throw new OctozipError('damaged', `Entries sharing content ${columns.contentId} disagree on its SHA-256: the archive was altered.`, { subject: archivePath });
        }
        sha256ByContent.set(columns.contentId, sealed.sha256);
      }
      // Authenticated by AES-GCM, which is stronger than the row's CRC.
      return { id, path: sealed.path, type: sealed.type, mode: sealed.mode, mtimeMs: sealed.mtimeMs, size: sealed.size, contentId: columns.contentId, linkTarget: sealed.linkTarget ?? null, metaIntact: true };
    }
    return {
      id,
      ...columns,
      mode: columns.mode & 0o7777,
      metaIntact: entryMetaChecksum([path, type, mode, mtimeMs, size, contentId, linkTarget]) === Number(metaCrc32),
    };
  });
  return { entries, sha256ByContent };
}

/** Every chunk as a block, without payloads. Encrypted: the blob's first 12 bytes (its nonce) unmask the raw CRC. */
export function readV1Blocks(db: SqliteDatabase, cipher: ArchiveCipher | null): Map<number, BlockRecord> {
  const rows = db
    .prepare(
      `SELECT id, content_id, seq, raw_size, codec, raw_crc32, payload_crc32, length(payload)${cipher ? ', substr(payload, 1, 12)' : ''} FROM chunk ORDER BY id`,
    )
    .raw()
    .all() as [number, number, number, number, unknown, number, number, number, unknown?][];
  const blocks = new Map<number, BlockRecord>();
  for (const [id, contentId, seq, rawSize, codec, rawCrc, payloadCrc, payloadSize, nonce] of rows) {
    const place = { contentId: Number(contentId), seq: Number(seq), codec: String(codec), rawSize: Number(rawSize) };
    blocks.set(Number(id), {
      id: Number(id),
      role: 'data',
      codec: String(codec),
      rawSize: Number(rawSize),
      rawSha256: null,
      rawCrc32: cipher && nonce instanceof Uint8Array ? legacyRawCrc(Number(rawCrc), place, nonce, cipher) : Number(rawCrc),
      payloadCrc32: Number(payloadCrc),
      payloadSize: Number(payloadSize),
      legacyPlace: { contentId: place.contentId, seq: place.seq },
    });
  }
  return blocks;
}

/**
 * Contents with one slice per chunk. A content whose chunks do not tile it exactly (seq 0..n-1, contiguous
 * offsets, sizes adding up) gets a problem instead of slices, so verify can report it and extract refuses it.
 */
export function readV1Contents(
  db: SqliteDatabase,
  blocks: Map<number, BlockRecord>,
  sha256ByContent: Map<number, string> | null,
  cipher: ArchiveCipher | null,
  encrypted: boolean,
): Map<number, ContentRecord> {
  const chunkRows = db.prepare('SELECT id, content_id, seq, raw_offset FROM chunk ORDER BY content_id, seq').raw().all() as [number, number, number, number][];
  const chunksByContent = new Map<number, { id: number; seq: number; rawOffset: number }[]>();
  for (const [id, contentId, seq, rawOffset] of chunkRows) {
    const list = chunksByContent.get(Number(contentId)) ?? [];
    list.push({ id: Number(id), seq: Number(seq), rawOffset: Number(rawOffset) });
    chunksByContent.set(Number(contentId), list);
  }
  const rows = db.prepare('SELECT id, sha256, size, chunk_count, packed_size FROM content ORDER BY id').raw().all() as [number, unknown, number, number, number][];
  const contents = new Map<number, ContentRecord>();
  for (const [rawId, sha256, rawSize, chunkCount, packedSize] of rows) {
    const id = Number(rawId);
    const size = safeSize(rawSize);
    const chunks = chunksByContent.get(id) ?? [];
    // Encrypted archives store a keyed fingerprint; the real SHA-256 comes from the sealed entries (checked here).
    let sha: string = String(sha256);
    let problem: string | undefined;
    if (cipher) {
      const real = sha256ByContent?.get(id);
      if (real === undefined || cipher.fingerprint(real) !== sha) problem = `Content ${id} does not match its fingerprint: the archive was altered.`;
      sha = real ?? '';
    } else if (encrypted) {
      sha = ''; // locked: unknown until unlocked
    }
    const slices = [];
    let offset = 0;
    if (chunks.length !== Number(chunkCount)) problem ??= `The archive lists ${chunkCount} chunks for content ${id} but holds ${chunks.length}.`;
    for (const [i, chunk] of chunks.entries()) {
      const block = blocks.get(chunk.id)!;
      if (chunk.seq !== i || chunk.rawOffset !== offset) problem ??= `Chunk ${i} of content ${id} is out of place.`;
      if (!(block.rawSize > 0 && block.rawSize <= MAX_BLOCK_BYTES)) problem ??= `Chunk ${i} of content ${id} claims an impossible size (${block.rawSize} bytes).`;
      slices.push({ blockId: chunk.id, offset: 0, length: block.rawSize });
      offset += block.rawSize;
    }
    if (problem === undefined && offset !== size) problem = `The chunks of content ${id} add up to ${offset} bytes, not ${size}.`;
    contents.set(id, { id, size, slices: problem ? [] : slices, crc32: null, sha256: sha, packedSize: Number(packedSize), ...(problem ? { problem } : {}) });
  }
  return contents;
}

function safeSize(value: unknown): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}
