// The archive header: typed, validated key/value rows in the header table.
import { z } from 'zod';
import { OctozipError } from '../errors.ts';

export const HEADER_KEYS = {
  formatVersion: 'format_version',
  creator: 'creator',
  createdAt: 'created_at',
  preset: 'preset',
  chunkBytes: 'chunk_bytes',
  blockBytes: 'block_bytes',
  codecParams: 'codec_params',
  models: 'models',
  encryption: 'encryption',
} as const;

const modelRefSchema = z.object({ name: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const archiveHeaderSchema = z.object({
  formatVersion: z.number().int().positive(),
  creator: z.string(),
  createdAt: z.string(),
  preset: z.string().nullable(),
  /** Format 1: the largest chunk the writer cut. */
  chunkBytes: z.number().int().positive().optional(),
  /** Format 2: the largest data block the writer cut (the preset's solid block size). */
  blockBytes: z.number().int().positive().optional(),
  /** Parameters each codec's decoder needs, keyed by codec id. */
  codecParams: z.record(z.string(), z.record(z.string(), z.unknown())),
  /** Every model any chunk depends on. */
  models: z.array(modelRefSchema),
  /** Reserved for the encryption fields; null means the archive is not encrypted. */
  encryption: z.record(z.string(), z.unknown()).nullable(),
});

export type ArchiveHeader = z.infer<typeof archiveHeaderSchema>;

export function headerToRows(header: ArchiveHeader): [string, string][] {
  return (Object.keys(HEADER_KEYS) as (keyof typeof HEADER_KEYS)[])
    .filter((field) => header[field] !== undefined)
    .map((field) => [HEADER_KEYS[field], JSON.stringify(header[field])]);
}

export function headerFromRows(rows: { key: string; value: string }[], archivePath: string): ArchiveHeader {
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(HEADER_KEYS)) {
    const text = byKey.get(key);
    if (text === undefined) continue;
    try {
      raw[field] = JSON.parse(text);
    } catch {
      throw new OctozipError('damaged', `The archive header field "${key}" is unreadable.`, { subject: archivePath });
    }
  }
  const parsed = archiveHeaderSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OctozipError(
      'damaged',
      `The archive header is invalid (${issue?.path.join('.') || 'header'}: ${issue?.message ?? 'unknown'}).`,
      { subject: archivePath },
    );
  }
  return parsed.data;
}
