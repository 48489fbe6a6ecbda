// Password -> master key (scrypt, memory-hard) -> independent subkeys (HKDF-SHA256), one per purpose, so a key
// used for one thing (say the dedup HMAC) can never be turned against another (the chunk cipher).
import { hkdf, scrypt, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';

const scryptAsync = promisify(scrypt) as (
  password: Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const hkdfAsync = promisify(hkdf);

/**
 * scrypt cost parameters as stored in the archive. Bounds are checked on read: a hostile archive must not make
 * us allocate gigabytes or spin for minutes before we even know whether the password is right.
 */
export const KdfParamsSchema = z.object({
  name: z.literal('scrypt'),
  /** log2 of scrypt's N. */
  logN: z.number().int().min(14).max(20),
  r: z.number().int().min(1).max(16),
  p: z.number().int().min(1).max(4),
  /** Per-archive random salt, hex. */
  salt: z.string().regex(/^[0-9a-f]{64}$/),
}).refine((k) => scryptMemoryBytes(k) <= MAX_SCRYPT_MEMORY, { message: 'scrypt parameters need too much memory' });

export type KdfParams = z.infer<typeof KdfParamsSchema>;

/** 2^15 x r=8 x 128 B = 32 MiB and ~0.15 s here: slow for a guesser, unnoticeable for a person. */
export const DEFAULT_KDF = { logN: 15, r: 8, p: 1 } as const;
const MAX_SCRYPT_MEMORY = 512 * 1024 * 1024;

function scryptMemoryBytes(k: { logN: number; r: number; p: number }): number {
  return 128 * 2 ** k.logN * k.r * k.p;
}

export function newKdfParams(cost: { logN: number; r: number; p: number } = DEFAULT_KDF): KdfParams {
  return { name: 'scrypt', ...cost, salt: randomBytes(32).toString('hex') };
}

/** Subkeys of one archive. Each is 32 bytes. */
export interface ArchiveKeys {
  /** AES-256-GCM key for chunk payloads. */
  chunk: Buffer;
  /** AES-256-GCM key for sealed entry metadata. */
  entry: Buffer;
  /** HMAC-SHA256 key authenticating the header and the entry list. */
  header: Buffer;
  /** HMAC-SHA256 key for content fingerprints (dedup keys), so equal files are not linkable to known hashes. */
  fingerprint: Buffer;
  /** Stored in the archive: lets a wrong password fail before any decode. */
  check: Buffer;
}

const PURPOSES = ['chunk', 'entry', 'header', 'fingerprint', 'check'] as const;

export async function deriveArchiveKeys(password: string, params: KdfParams): Promise<ArchiveKeys> {
  const salt = Buffer.from(params.salt, 'hex');
  // NFC so the same password typed on macOS (NFD input) and Linux opens the same archive.
  const secret = Buffer.from(password.normalize('NFC'), 'utf8');
  const N = 2 ** params.logN;
  const master = await scryptAsync(secret, salt, 32, {
    N,
    r: params.r,
    p: params.p,
    maxmem: scryptMemoryBytes(params) + 16 * 1024 * 1024,
  });
  const keys = {} as Record<(typeof PURPOSES)[number], Buffer>;
  for (const purpose of PURPOSES) {
    keys[purpose] = Buffer.from(await hkdfAsync('sha256', master, salt, `octozip v1 ${purpose} key`, 32));
  }
  master.fill(0);
  return keys;
}
