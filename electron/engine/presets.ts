// What each user-facing preset means to the engine. The neural codec owns the tuning of its own rows
// (chunk size trades compression, which improves with longer chunks, against decode parallelism).
import type { CodecId, Preset, PresetChoice } from './api.ts';
import { formatBytes } from './byte-size.ts';
import { OctozipError } from './errors.ts';
import { MAX_BLOCK_BYTES } from './format/schema.ts';
import { PRESET_IDS } from './ids.ts';

export interface PresetSettings {
  /** Codecs tried on every chunk, best first; each chunk keeps the smallest result, 'store' always competes. */
  codecs: CodecId[];
  /**
   * Solid block size: files of one kind are concatenated into blocks of at most this many bytes, each coded as
   * one stream (a large file spans blocks). Larger blocks compress better (the model keeps learning) but cost
   * more to extract one file from, and give fewer blocks to code in parallel.
   */
  blockBytes: number;
  /** brotli quality (0-11) and window (10-24) for the classical codec. */
  brotliQuality: number;
  brotliWindowBits: number;
  /**
   * The neural codec cuts each chunk into segments of about this size and decodes them in parallel (one ORT call
   * per step for all). Smaller segments decode faster but compress worse: each starts with an untrained
   * predictor. Measured in docs/BENCHMARK.md.
   */
  neuralSegmentBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const PRESETS: Record<Preset, PresetSettings> = {
  // brotli's window here is 4 MiB, so longer blocks would not compress better; 8 MiB keeps blocks parallel.
  fast: { codecs: ['brotli'], blockBytes: 8 * MiB, brotliQuality: 9, brotliWindowBits: 22, neuralSegmentBytes: 4 * MiB },
  // Context mixing, text blocks starting from a bundled prior. 16 MiB blocks: on a validation tree of our own
  // (19.8 MB of JavaScript, TypeScript and Markdown from node_modules: app-builder-lib, svelte, zod, vite,
  // @vitest; none of it in any prior's text) 4 MiB blocks gave 2,633,216 bytes, 8 MiB 2,576,896, 16 MiB
  // 2,534,400; larger blocks cost parallelism and the time to extract one file from the middle of a block. The network's one-call-per-byte decoding is ten times slower
  // (docs/BENCHMARK.md), so it is kept for 'maximum'.
  balanced: { codecs: ['cm', 'brotli'], blockBytes: 16 * MiB, brotliQuality: 11, brotliWindowBits: 24, neuralSegmentBytes: 128 * KiB },
  // One segment per chunk, decoded one byte per ORT call (slow). 'cm' competes too: the neural codec's
  // predictor starts cold, so on prose the primed 'cm' can win, and maximum must never lose to balanced.
  maximum: { codecs: ['neural', 'cm', 'brotli'], blockBytes: 16 * MiB, brotliQuality: 11, brotliWindowBits: 24, neuralSegmentBytes: 4 * MiB },
};

export const DEFAULT_PRESET: Preset = 'balanced';

/**
 * The solid block sizes a user may choose instead of the preset's (7-Zip's -ms). Each text block has a fixed
 * cost, loading its prior and probing two priors on its first 64 KiB (0.3-0.8 s here, measured on 1 MiB blocks
 * that took 2.7-3.3 s to code), which smaller blocks would not repay; above 64 MiB readers refuse the block
 * (format/schema.ts).
 */
export const MIN_BLOCK_BYTES = 1 * MiB;
export { MAX_BLOCK_BYTES };

/** A preset's settings, with the solid block size the user chose, if any (checked here, for every caller). */
export function presetSettings(preset: Preset, blockBytes?: number): PresetSettings {
  const settings = PRESETS[preset];
  if (!settings) throw new OctozipError('input', `Unknown preset "${String(preset)}"; use fast, balanced or maximum.`);
  if (blockBytes === undefined) return settings;
  if (!Number.isSafeInteger(blockBytes) || blockBytes < MIN_BLOCK_BYTES || blockBytes > MAX_BLOCK_BYTES) {
    throw new OctozipError('input', `The block size must be between ${formatBytes(MIN_BLOCK_BYTES)} and ${formatBytes(MAX_BLOCK_BYTES)}; got ${String(blockBytes)} bytes.`);
  }
  return { ...settings, blockBytes };
}

/**
 * How to code new blocks of an existing archive (add, compact): with the preset asked for, else the one the
 * archive records (else the default), at the block size it records when a user could have chosen that size (a
 * user's choice at create stays the archive's), else the preset's.
 */
export function archiveSettings(header: { preset: string | null; blockBytes?: number }, asked?: Preset): { preset: Preset; settings: PresetSettings } {
  const recorded = header.preset;
  const preset: Preset = asked ?? (recorded !== null && recorded in PRESETS ? (recorded as Preset) : DEFAULT_PRESET);
  const size = header.blockBytes;
  const blockBytes = size !== undefined && size >= MIN_BLOCK_BYTES && size <= MAX_BLOCK_BYTES ? size : undefined;
  return { preset, settings: presetSettings(preset, blockBytes) };
}

/** What the app tells the user about each preset; keep it true to the rows above. */
const PRESET_TEXT: Record<Preset, Omit<PresetChoice, 'id' | 'blockBytes'>> = {
  fast: { label: 'Fast', description: 'Classical codec (brotli) only. Quickest, larger archives.' },
  balanced: {
    label: 'Balanced',
    description: 'Context mixing, primed with bundled statistics of English text. Good for most files.',
  },
  maximum: {
    label: 'Maximum',
    description: 'Adds the bundled neural network on longer chunks. Smallest on code and markup; slow to extract.',
  },
};

/** The presets in the order the user sees them. */
export const PRESET_CHOICES: readonly PresetChoice[] = /* @__PURE__ */ PRESET_IDS.map((id) => ({ id, ...PRESET_TEXT[id], blockBytes: PRESETS[id].blockBytes }));

/**
 * The solid block sizes the app offers instead of the preset's (7-Zip's "solid block size"): every power of two
 * from MIN_BLOCK_BYTES to MAX_BLOCK_BYTES. Smaller blocks code on more cores at once and extract a single file
 * sooner, for a larger archive; the CLI's --block-size takes any size in that range.
 */
export const BLOCK_SIZE_CHOICES: readonly number[] = /* @__PURE__ */ Array.from(
  { length: Math.log2(MAX_BLOCK_BYTES / MIN_BLOCK_BYTES) + 1 },
  (_, i) => MIN_BLOCK_BYTES * 2 ** i,
);
