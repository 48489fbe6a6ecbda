// The archive engine's public surface: what the CLI, the desktop app's engine host and the tests call.
// Types only; the jobs under ./jobs implement them. The lint (scripts/lint-layers.mjs) keeps Electron out of
// this folder.
import type { CODEC_IDS, CONFLICT_POLICIES, PRESET_IDS } from './ids.ts';

/** Compression presets, as a user picks them. */
export type Preset = (typeof PRESET_IDS)[number];

/** Codecs an archive chunk can be stored with. */
export type CodecId = (typeof CODEC_IDS)[number];

export type EntryType = 'file' | 'directory' | 'symlink';

/** What to do when an extracted entry's path already exists. */
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** A preset as the user chooses it: the app's create screen shows these. */
export interface PresetChoice {
  id: Preset;
  label: string;
  /** One sentence: what the preset does and what it costs. */
  description: string;
  /** The preset's own solid block size in bytes (a create may choose another, see BLOCK_SIZE_CHOICES). */
  blockBytes: number;
}

/** Progress of any long operation; emitted at most a few times per second. */
export interface Progress {
  phase: 'scan' | 'compress' | 'extract' | 'verify' | 'finalize';
  bytesDone: number;
  bytesTotal: number;
  entriesDone: number;
  entriesTotal: number;
  /** Archive path of the entry being worked on, if any. */
  currentEntry: string | null;
  /** Bytes per second over the job so far. */
  bytesPerSecond: number;
  /** For create: compressed bytes written so far, to show the ratio as it goes. */
  packedBytes?: number;
  /** For create: the raw bytes that packedBytes encodes (bytesDone runs ahead while a batch is compressing). */
  packedRawBytes?: number;
}

export type ProgressListener = (p: Progress) => void;

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Blocks coded at once on worker threads (default: every core). Archives are the same whatever the number. */
  threads?: number;
}

export interface CreateOptions extends JobOptions {
  /** Destination .octz path. Written to a temp file beside it, then renamed. */
  archivePath: string;
  /** Files and folders. A folder is stored under its own name; '.' stores the cwd's contents. */
  inputs: string[];
  /** Resolves relative inputs; defaults to process.cwd(). */
  cwd?: string;
  preset?: Preset;
  /**
   * Solid block size in bytes (MIN_BLOCK_BYTES..MAX_BLOCK_BYTES; default: the preset's). Smaller blocks code in
   * parallel on more cores and extract one file sooner; larger ones compress better. Recorded in the archive,
   * and kept by add and compact.
   */
  blockBytes?: number;
  /** When set, every chunk is encrypted (see docs/FORMAT.md). */
  password?: string;
  /** With a password: also encrypt names and metadata, so listing needs the password. */
  encryptNames?: boolean;
  /** Replace an existing archive at archivePath (default false: refuse). */
  overwrite?: boolean;
}

export interface CreateSummary {
  archivePath: string;
  entries: number;
  files: number;
  rawBytes: number;
  /** Size of the archive file on disk. */
  archiveBytes: number;
  /** Sum of the data blocks' payloads alone (the catalog and SQLite's structure are the rest of the file). */
  packedBytes: number;
  bitsPerByte: number;
  /** Bytes per codec that won blocks, raw side. */
  rawBytesByCodec: Partial<Record<CodecId, number>>;
  /**
   * Payload size the classical codec alone produced, for "x% better than brotli"; null when brotli was not tried
   * on every block (it is skipped where a learned codec is far ahead, which saves as much time as that codec takes).
   */
  classicalBytes: number | null;
  seconds: number;
  /** Things the user should know, as sentences: a preset's codec missing from this build, inputs skipped. */
  notes?: string[];
}

export interface ModelRef {
  name: string;
  sha256: string;
}

export interface ArchiveInfo {
  formatVersion: number;
  creator: string;
  createdAt: string;
  entries: number;
  files: number;
  rawBytes: number;
  packedBytes: number;
  archiveBytes: number;
  codecs: CodecId[];
  models: ModelRef[];
  /** Codec parameters as recorded in the header. */
  codecParams: Record<string, unknown>;
  encrypted: boolean;
  namesEncrypted: boolean;
}

export interface EntryInfo {
  /** Archive path, '/'-separated, relative, never starting with '/' and never containing '..'. */
  path: string;
  type: EntryType;
  /** POSIX permission bits (e.g. 0o644). */
  mode: number;
  /** Modification time, milliseconds since the epoch. */
  mtimeMs: number;
  size: number;
  /** This entry's share of the stored blocks its bytes lie in (0 for a deduplicated twin). */
  packedSize: number;
  /** Codec of the block holding the entry's first byte, or null for directories, links and empty files. */
  codec: CodecId | null;
  /** Symlink target, for symlinks. */
  linkTarget?: string;
  /** SHA-256 hex of the content, for files of format-1 archives (format 2 keeps a CRC-32 per file, hashes per block). */
  sha256?: string;
}

export interface ArchiveListing {
  info: ArchiveInfo;
  entries: EntryInfo[];
}

export interface ExtractLimits {
  /** Refuse once this many bytes would be written (default 64 GiB). */
  maxTotalBytes: number;
  /** Default 1,000,000. */
  maxEntries: number;
  /**
   * Refuse when the output exceeds the stored bytes read times this, once past 1 GiB of output (default 10,000;
   * see docs/SECURITY.md for why the whole extraction is bounded rather than each chunk).
   */
  maxRatio: number;
}

export interface ExtractOptions extends JobOptions {
  archivePath: string;
  destDir: string;
  /** Entry paths to extract; a directory selects everything under it. Empty or absent: all. */
  entries?: string[];
  conflict?: ConflictPolicy;
  password?: string;
  limits?: Partial<ExtractLimits>;
}

export interface ExtractSummary {
  written: number;
  skipped: number;
  renamed: number;
  bytes: number;
  seconds: number;
}

export type EntryVerdict = 'intact' | 'damaged' | 'missing-model';

export interface EntryReport {
  path: string;
  verdict: EntryVerdict;
  /** A sentence saying what is wrong, when not intact. */
  problem?: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Archive-level problems (integrity check, header). */
  problems: string[];
  entries: EntryReport[];
  seconds: number;
}

export interface VerifyOptions extends JobOptions {
  archivePath: string;
  password?: string;
}

export interface AddOptions extends JobOptions {
  /** An existing archive; changed in place, in one transaction. */
  archivePath: string;
  inputs: string[];
  cwd?: string;
  /** Defaults to the preset the archive records. */
  preset?: Preset;
  /** The archive's password, when it is encrypted; new entries are encrypted the same way. */
  password?: string;
}

export interface AddSummary {
  archivePath: string;
  /** Entries whose path was new. */
  added: number;
  /** Entries that replaced one with the same path. */
  replaced: number;
  /** New files whose bytes the archive already held (stored once, referenced). */
  reusedContents: number;
  archiveBytes: number;
  seconds: number;
}

export interface DeleteOptions extends JobOptions {
  archivePath: string;
  /** Entry paths; a folder deletes everything under it. */
  entries: string[];
  password?: string;
}

export interface DeleteSummary {
  archivePath: string;
  deleted: number;
  /** Stored contents no remaining entry used, dropped with their chunks. */
  freedContents: number;
  archiveBytes: number;
  seconds: number;
}

export interface CompactOptions extends JobOptions {
  archivePath: string;
  password?: string;
}

export interface CompactSummary {
  archivePath: string;
  /** The archive's size before and after. */
  bytesBefore: number;
  archiveBytes: number;
  seconds: number;
}
