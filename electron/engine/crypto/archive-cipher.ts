// Everything an encrypted archive needs from cryptography, behind one object the format layer holds:
// seal/open chunk payloads and entry metadata, keyed content fingerprints, and the header MAC.
// Construction (also in docs/FORMAT.md, "Encryption"):
//   master = scrypt(NFC(password), salt, N, r, p); subkeys = HKDF-SHA256(master, salt, "octozip v1 <purpose> key")
//   chunk payload = AES-256-GCM(chunkKey, random nonce, payload, AAD = archiveId, contentId, sequence, codec, rawSize)
//   entry blob    = AES-256-GCM(entryKey, random nonce, JSON(metadata), AAD = archiveId, entryId, contentId)
//   header MAC    = HMAC-SHA256(headerKey, canonical(sorted header pairs))
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { OctozipError } from '../errors.ts';
import { NONCE_BYTES, open, seal } from './aead.ts';
import { canonicalBytes } from './canonical-bytes.ts';
import {
  type EncryptionRecord,
  ENCRYPTION_RECORD_VERSION,
  parseEncryptionRecord,
} from './encryption-record.ts';
import { type ArchiveKeys, DEFAULT_KDF, deriveArchiveKeys, newKdfParams } from './key-derivation.ts';

/** Where a chunk belongs; any change (moved, swapped, re-labelled codec, lying size) fails authentication. */
export interface ChunkPlace {
  contentId: number;
  sequence: number;
  codec: string;
  rawSize: number;
}

/** Where a format-2 block belongs; moving, swapping or relabelling one fails authentication. */
export interface BlockPlace {
  blockId: number;
  role: string;
  codec: string;
  rawSize: number;
}

/** Entry metadata as sealed in one blob per entry. */
export const SealedEntrySchema = z.object({
  path: z.string().min(1).max(65536),
  type: z.enum(['file', 'directory', 'symlink']),
  mode: z.number().int().min(0).max(0o7777),
  mtimeMs: z.number().finite(),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  linkTarget: z.string().max(65536).optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type SealedEntry = z.infer<typeof SealedEntrySchema>;

export interface CreateCipherOptions {
  encryptNames?: boolean;
  /** scrypt cost; tests may lower logN to 14 to stay quick, never below the schema's floor. */
  kdfCost?: { logN: number; r: number; p: number };
}

export class ArchiveCipher {
  readonly record: EncryptionRecord;
  readonly #keys: ArchiveKeys;
  readonly #archiveId: Buffer;

  private constructor(record: EncryptionRecord, keys: ArchiveKeys) {
    this.record = record;
    this.#keys = keys;
    this.#archiveId = Buffer.from(record.archiveId, 'hex');
  }

  /** New keys for a new archive: fresh salt and archive id. */
  static async create(password: string, options: CreateCipherOptions = {}): Promise<ArchiveCipher> {
    requirePassword(password);
    const kdf = newKdfParams(options.kdfCost ?? DEFAULT_KDF);
    const keys = await deriveArchiveKeys(password, kdf);
    const record: EncryptionRecord = {
      version: ENCRYPTION_RECORD_VERSION,
      cipher: 'aes-256-gcm',
      kdf,
      keyCheck: keys.check.toString('hex'),
      archiveId: randomBytes(16).toString('hex'),
      namesEncrypted: options.encryptNames ?? false,
    };
    return new ArchiveCipher(record, keys);
  }

  /**
   * Opens an existing archive's keys. Throws 'password-required' without a password and 'wrong-password' when
   * the key check differs; both happen after one KDF run and before anything is decoded.
   */
  static async unlock(
    record: EncryptionRecord | string,
    password: string | undefined,
    archivePath?: string,
  ): Promise<ArchiveCipher> {
    const parsed = typeof record === 'string' ? parseEncryptionRecord(record, archivePath) : record;
    if (password === undefined || password === '') {
      throw new OctozipError('password-required', 'This archive is encrypted: its password is needed to open it.', {
        subject: archivePath,
      });
    }
    const keys = await deriveArchiveKeys(password, parsed.kdf);
    const expected = Buffer.from(parsed.keyCheck, 'hex');
    if (expected.length !== keys.check.length || !timingSafeEqual(expected, keys.check)) {
      throw new OctozipError('wrong-password', 'The password is wrong for this archive.', { subject: archivePath });
    }
    return new ArchiveCipher(parsed, keys);
  }

  get namesEncrypted(): boolean {
    return this.record.namesEncrypted;
  }

  sealChunk(place: ChunkPlace, payload: Uint8Array): Buffer {
    return seal(this.#keys.chunk, payload, this.#chunkAad(place));
  }

  /** The codec payload, or OctozipError 'damaged' when the stored blob was altered or moved. */
  openChunk(place: ChunkPlace, sealed: Uint8Array, subject?: string): Buffer {
    const payload = open(this.#keys.chunk, sealed, this.#chunkAad(place));
    if (payload === null) {
      throw new OctozipError(
        'damaged',
        `Chunk ${place.sequence} of content ${place.contentId} failed authentication: the archive was altered or damaged.`,
        { subject },
      );
    }
    return payload;
  }

  sealBlock(place: BlockPlace, payload: Uint8Array): Buffer {
    return seal(this.#keys.chunk, payload, this.#blockAad(place));
  }

  /** The codec payload, or OctozipError 'damaged' when the stored blob was altered, moved or relabelled. */
  openBlock(place: BlockPlace, sealed: Uint8Array, subject?: string): Buffer {
    const payload = open(this.#keys.chunk, sealed, this.#blockAad(place));
    if (payload === null) {
      throw new OctozipError('damaged', `Block ${place.blockId} (${place.role}) failed authentication: the archive was altered or damaged.`, {
        subject,
      });
    }
    return payload;
  }

  sealEntry(entryId: number, contentId: number | null, entry: SealedEntry): Buffer {
    const json = Buffer.from(JSON.stringify(SealedEntrySchema.parse(entry)), 'utf8');
    return seal(this.#keys.entry, json, this.#entryAad(entryId, contentId));
  }

  openEntry(entryId: number, contentId: number | null, sealed: Uint8Array): SealedEntry {
    const json = open(this.#keys.entry, sealed, this.#entryAad(entryId, contentId));
    if (json === null) {
      throw new OctozipError('damaged', `Entry ${entryId} failed authentication: the archive was altered or damaged.`);
    }
    let value: unknown;
    try {
      value = JSON.parse(json.toString('utf8'));
    } catch {
      value = undefined;
    }
    const parsed = SealedEntrySchema.safeParse(value);
    // Authentic but malformed means a bug in the writer, not an attacker; still refuse rather than guess.
    if (!parsed.success) throw new OctozipError('damaged', `Entry ${entryId} holds malformed metadata.`);
    return parsed.data;
  }

  /**
   * Keyed stand-in for a content SHA-256 (dedup key, stored checksums): equal content still dedups, but nobody
   * without the password can test the archive for a known file by its public hash.
   */
  fingerprint(sha256: Uint8Array | string): string {
    const digest = typeof sha256 === 'string' ? Buffer.from(sha256, 'hex') : sha256;
    return createHmac('sha256', this.#keys.fingerprint).update(digest).digest('hex');
  }

  /**
   * MAC over header key/value pairs, order-independent (sorted by key, then value). A crafted table with a
   * repeated key simply gets a different MAC, so it fails verification instead of throwing.
   */
  headerMac(pairs: Iterable<readonly [string, string]>): string {
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const sorted = [...pairs].sort(([ka, va], [kb, vb]) => cmp(ka, kb) || cmp(va, vb));
    const fields = ['octozip header v1', ...sorted.flat()];
    return createHmac('sha256', this.#keys.header).update(canonicalBytes(fields)).digest('hex');
  }

  /** Throws 'damaged' unless mac matches the header pairs. */
  verifyHeaderMac(pairs: Iterable<readonly [string, string]>, mac: string | undefined, archivePath?: string): void {
    const expected = Buffer.from(this.headerMac(pairs), 'hex');
    const actual = Buffer.from(typeof mac === 'string' && /^[0-9a-f]{64}$/.test(mac) ? mac : '', 'hex');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new OctozipError('damaged', 'The archive header failed authentication: the archive was altered or damaged.', {
        subject: archivePath,
      });
    }
  }

  /**
   * Digest of the whole entry list (ids and sealed blobs, in id order), meant to go into the MAC'd header so
   * that deleting, duplicating or rolling back entry rows is detected too, not just editing one.
   */
  entryListDigest(): EntryListDigest {
    return new EntryListDigest();
  }

  /**
   * Hides a chunk's CRC-32 of its raw bytes (a plaintext CRC lets anyone confirm a guessed chunk) by XOR with
   * 32 bits of HMAC over the chunk's place and its sealed blob's random nonce: unique per seal, so two CRCs
   * never share a mask. The same call unmasks.
   */
  maskRawCrc(crc: number, place: ChunkPlace, sealed: Uint8Array): number {
    const nonce = sealed.subarray(0, NONCE_BYTES);
    const mac = createHmac('sha256', this.#keys.fingerprint)
      .update(canonicalBytes(['octozip crc mask v1', place.contentId, place.sequence, nonce]))
      .digest();
    return (crc ^ mac.readUInt32BE(0)) >>> 0;
  }

  #chunkAad(place: ChunkPlace): Buffer {
    return canonicalBytes(['octozip chunk v1', this.#archiveId, place.contentId, place.sequence, place.codec, place.rawSize]);
  }

  // Its own label: a format-1 chunk blob can never be taken for a block, nor the other way round.
  #blockAad(place: BlockPlace): Buffer {
    return canonicalBytes(['octozip block v2', this.#archiveId, place.blockId, place.role, place.codec, place.rawSize]);
  }

  #entryAad(entryId: number, contentId: number | null): Buffer {
    return canonicalBytes(['octozip entry v1', this.#archiveId, entryId, contentId]);
  }
}

export class EntryListDigest {
  readonly #hash = createHash('sha256');
  #count = 0;
  add(entryId: number, sealed: Uint8Array): void {
    this.#hash.update(canonicalBytes([entryId, sealed]));
    this.#count++;
  }
  /** "<count>:<sha256 hex>" */
  finish(): string {
    return `${this.#count}:${this.#hash.digest('hex')}`;
  }
}

function requirePassword(password: string): void {
  if (typeof password !== 'string' || password.length === 0) {
    throw new OctozipError('password-required', 'An empty password cannot encrypt an archive.');
  }
}
