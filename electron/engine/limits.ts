// Extraction limits: a hostile or broken archive must not fill the disk, exhaust inodes or memory. Checked twice:
// up front against the archive's declared totals (so a bomb is refused before one byte is written), and while
// writing against what is actually produced (so an archive that lies about its sizes is stopped too).
import type { ExtractLimits } from './api.ts';
import { formatBytes } from './byte-size.ts';
import { OctozipError } from './errors.ts';

const GiB = 1024 ** 3;

export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = Object.freeze({
  // Room for any ordinary archive (a 4 GB disk image, a photo library); above it the user says so explicitly.
  maxTotalBytes: 64 * GiB,
  maxEntries: 1_000_000,
  // brotli turns 4 MiB of zeros into 14 bytes (ratio ~300,000), so a per-chunk ratio cannot tell a bomb from a
  // sparse file. We bound the whole extraction instead, and only past RATIO_FLOOR_BYTES of output:
  // a small bomb is harmless, a large one is caught long before the disk fills.
  maxRatio: 10_000,
});

/** Output below this size is never refused for its ratio alone. */
export const RATIO_FLOOR_BYTES = 1 * GiB;

/**
 * A single chunk may expand at most this much (4 MiB of zeros is 14 bytes of brotli, ~300,000:1). Not a user
 * setting: it only stops one chunk claiming terabytes; maxRatio bounds whole extractions.
 */
export const MAX_CHUNK_RATIO = 1_000_000;

export type LimitName = keyof ExtractLimits;

/** 'limit-exceeded' with the limit that tripped, so the CLI and the app can name the setting that raises it. */
export class LimitExceededError extends OctozipError {
  readonly limit: LimitName;
  readonly value: number;
  readonly max: number;
  constructor(limit: LimitName, value: number, max: number, message: string, subject?: string) {
    super('limit-exceeded', message, { subject });
    this.name = 'LimitExceededError';
    this.limit = limit;
    this.value = value;
    this.max = max;
  }
}

/** Defaults with the caller's overrides; an override must be a positive number (Infinity allowed: no limit). */
export function resolveExtractLimits(overrides: Partial<ExtractLimits> | undefined): ExtractLimits {
  const limits: ExtractLimits = { ...DEFAULT_EXTRACT_LIMITS };
  for (const key of Object.keys(DEFAULT_EXTRACT_LIMITS) as LimitName[]) {
    const value = overrides?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
      throw new OctozipError('input', `The extraction limit ${key} must be a positive number, not ${String(value)}.`);
    }
    limits[key] = value;
  }
  return limits;
}

/** Tracks one extraction against its limits. */
export class ExtractBudget {
  readonly limits: ExtractLimits;
  readonly #archivePath: string | undefined;
  #entries = 0;
  #bytes = 0;
  #packed = 0;

  constructor(limits: ExtractLimits, archivePath?: string) {
    this.limits = limits;
    this.#archivePath = archivePath;
  }

  /** Before writing anything: the selection's declared entry count, raw bytes and stored (packed) bytes. */
  checkDeclared(entries: number, rawBytes: number, packedBytes: number): void {
    this.#checkEntries(entries);
    this.#checkBytes(rawBytes, 'would write');
    this.#checkRatio(rawBytes, packedBytes);
  }

  /** The ratio check alone (verify: it writes nothing, but must not spin for hours on a bomb). */
  checkDeclaredRatio(rawBytes: number, packedBytes: number): void {
    this.#checkRatio(rawBytes, packedBytes);
  }

  /** One more entry is about to be written. */
  addEntry(): void {
    this.#entries++;
    this.#checkEntries(this.#entries);
  }

  /** A chunk's stored payload was read; call before adding the raw bytes it decodes to. */
  addPacked(bytes: number): void {
    this.#packed += bytes;
  }

  /** Raw bytes are about to be written. */
  addOutput(bytes: number): void {
    this.#bytes += bytes;
    this.#checkBytes(this.#bytes, 'has written');
    this.#checkRatio(this.#bytes, this.#packed);
  }

  #checkEntries(count: number): void {
    const max = this.limits.maxEntries;
    if (count > max) {
      throw new LimitExceededError(
        'maxEntries',
        count,
        max,
        `The archive holds more than ${max} entries (the extraction limit); raise the limit if you trust this archive.`,
        this.#archivePath,
      );
    }
  }

  #checkBytes(total: number, verb: string): void {
    const max = this.limits.maxTotalBytes;
    if (total > max) {
      throw new LimitExceededError(
        'maxTotalBytes',
        total,
        max,
        `Extraction ${verb} ${formatBytes(total)}, over the ${formatBytes(max)} limit; raise the limit if you trust this archive.`,
        this.#archivePath,
      );
    }
  }

  #checkRatio(raw: number, packed: number): void {
    const max = this.limits.maxRatio;
    if (raw <= RATIO_FLOOR_BYTES) return;
    if (raw > Math.max(packed, 1) * max) {
      const ratio = Math.round(raw / Math.max(packed, 1));
      throw new LimitExceededError(
        'maxRatio',
        ratio,
        max,
        `The archive expands ${ratio}:1 (${formatBytes(raw)} from ${formatBytes(packed)}), over the ${max}:1 ` +
          'compression-ratio limit, as a decompression bomb would; raise the limit if you trust this archive.',
        this.#archivePath,
      );
    }
  }
}
