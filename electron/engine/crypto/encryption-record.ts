// The one header value that describes an encrypted archive: how to get from the password to the keys, and a
// key-check value so a wrong password fails in one KDF run, before anything is decoded or written.
import { z } from 'zod';
import { OctozipError } from '../errors.ts';
import { KdfParamsSchema } from './key-derivation.ts';

export const ENCRYPTION_RECORD_VERSION = 1;

export const EncryptionRecordSchema = z.object({
  version: z.literal(ENCRYPTION_RECORD_VERSION),
  cipher: z.literal('aes-256-gcm'),
  kdf: KdfParamsSchema,
  /** HKDF(master, "check") hex: equal iff the password is right. */
  keyCheck: z.string().regex(/^[0-9a-f]{64}$/),
  /** Random per archive; bound into every AAD so sealed blobs cannot be moved between archives. */
  archiveId: z.string().regex(/^[0-9a-f]{32}$/),
  /** Entry names and metadata are sealed too; listing needs the password. */
  namesEncrypted: z.boolean(),
});

export type EncryptionRecord = z.infer<typeof EncryptionRecordSchema>;

/** Parses the stored record; anything malformed or out of bounds is damage, never a crash or a huge allocation. */
export function parseEncryptionRecord(text: string, archivePath?: string): EncryptionRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new OctozipError('damaged', 'The archive\'s encryption header is unreadable.', { subject: archivePath, cause });
  }
  if (raw !== null && typeof raw === 'object' && 'version' in raw && raw.version !== ENCRYPTION_RECORD_VERSION) {
    throw new OctozipError(
      'unsupported-version',
      `The archive uses encryption version ${String(raw.version)}, which this Octozip does not know; update Octozip.`,
      { subject: archivePath },
    );
  }
  const parsed = EncryptionRecordSchema.safeParse(raw);
  if (!parsed.success) {
    throw new OctozipError('damaged', `The archive's encryption header is invalid (${parsed.error.issues[0]?.message ?? 'bad value'}).`, {
      subject: archivePath,
    });
  }
  return parsed.data;
}
