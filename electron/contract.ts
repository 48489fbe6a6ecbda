// The one IPC contract between the renderer, the preload, the main process and the engine host.
// The renderer sees only `window.octozip` (OctozipApi). Every request crosses one of the channels below, and
// main validates each one with the schema of its channel before any handler runs: a compromised renderer can
// send anything, so the types alone are not a defence.
import { z } from 'zod';
import type {
  ArchiveListing,
  CodecId,
  ConflictPolicy,
  CreateSummary,
  EntryInfo,
  EntryType,
  EntryVerdict,
  ExtractSummary,
  Preset,
  PresetChoice,
  Progress,
  VerifyReport,
} from './engine/api.ts';
import type { ErrorCode } from './engine/errors.ts';
import { CONFLICT_POLICIES, PRESET_IDS } from './engine/ids.ts';
import { BLOCK_SIZE_CHOICES, DEFAULT_PRESET, MAX_BLOCK_BYTES, MIN_BLOCK_BYTES, PRESET_CHOICES } from './engine/presets.ts';

export type {
  ArchiveListing,
  CodecId,
  ConflictPolicy,
  CreateSummary,
  EntryInfo,
  EntryType,
  ExtractSummary,
  Preset,
  PresetChoice,
  Progress,
  VerifyReport,
};

/**
 * The presets the create screen offers, in the engine's own words, the one it starts on, and the solid block
 * sizes it offers instead of a preset's own.
 */
export interface PresetMenu {
  choices: readonly PresetChoice[];
  defaultPreset: Preset;
  blockSizes: readonly number[];
}

/** What main answers on the presetChoices channel: the engine's definitions, so the app's text cannot drift. */
export const PRESET_MENU: PresetMenu = { choices: PRESET_CHOICES, defaultPreset: DEFAULT_PRESET, blockSizes: BLOCK_SIZE_CHOICES };

/** Prefix of every invoke channel, so the main side can tell ours from anything else. */
export const CHANNEL_PREFIX = 'octozip:';
/** The single main -> renderer channel; its payload is an AppEvent. */
export const EVENT_CHANNEL = 'octozip:event';
/**
 * Preload -> main: the real paths of files the user dropped on the window (string[]). Only the preload sends it,
 * from a trusted drop event; it is not in CHANNELS, so the page cannot send it through `window.octozip.call`.
 */
export const DROP_CHANNEL = 'octozip:dropped';

/** Request schemas, one per channel. A channel's name is its key; the wire name is CHANNEL_PREFIX + key. */
function makeRequestSchemas() {
  // Paths are only well-formed here: that the user chose them is checked by each handler against main's path
  // grants (electron/app/path-grants.ts). Bound their size so a hostile renderer cannot make main or the host
  // allocate without limit, and refuse NUL, which no file system accepts and which truncates paths in C.
  const pathSchema = z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !p.includes('\0'), 'path contains a NUL byte');
  const passwordSchema = z.string().min(1).max(1024).optional();
  const jobIdSchema = z.string().regex(/^job-[0-9]+$/);
  /** An entry path inside an archive, as listed by the engine. */
  const entryPathSchema = z.string().min(1).max(4096);

  const presetSchema = z.enum(PRESET_IDS);
  const conflictPolicySchema = z.enum(CONFLICT_POLICIES);

  return {
    /** Where a new archive of these inputs goes by default: beside the first item, under a name not yet taken. */
    suggestArchivePath: z.object({ inputs: z.array(pathSchema).min(1).max(100_000) }).strict(),
    /** Native dialogs. Each resolves to null when the user cancels. */
    chooseInputs: z.object({}).strict(),
    chooseArchiveDestination: z.object({ defaultPath: pathSchema }).strict(),
    chooseArchiveToOpen: z.object({}).strict(),
    chooseExtractFolder: z.object({ defaultPath: pathSchema.optional() }).strict(),
    /** The presets the create screen offers, with the engine's own words for each. */
    presetChoices: z.object({}).strict(),
    /** Long jobs: they answer at once with a job id; progress and the outcome arrive as AppEvents. */
    startCreate: z
      .object({
        inputs: z.array(pathSchema).min(1).max(100_000),
        archivePath: pathSchema,
        preset: presetSchema,
        /** A solid block size instead of the preset's (bytes); absent: the preset's. */
        blockBytes: z.number().int().min(MIN_BLOCK_BYTES).max(MAX_BLOCK_BYTES).optional(),
        password: passwordSchema,
        overwrite: z.boolean().optional(),
      })
      .strict(),
    startExtract: z
      .object({
        archivePath: pathSchema,
        destDir: pathSchema,
        entries: z.array(entryPathSchema).max(1_000_000).optional(),
        conflict: conflictPolicySchema,
        password: passwordSchema,
      })
      .strict(),
    startVerify: z.object({ archivePath: pathSchema, password: passwordSchema }).strict(),
    cancelJob: z.object({ jobId: jobIdSchema }).strict(),
    /** Lists an archive and remembers it in the recent list. */
    openArchive: z.object({ archivePath: pathSchema, password: passwordSchema }).strict(),
    /** Which of these entries already exist in destDir (top-level names of a selection), for the conflict prompt. */
    findConflicts: z
      .object({ destDir: pathSchema, entries: z.array(entryPathSchema).max(1_000_000) })
      .strict(),
    recentArchives: z.object({}).strict(),
    forgetRecent: z.object({ archivePath: pathSchema }).strict(),
    /** Asks where to save a verify report, then writes it (atomically). Null when the user cancels. */
    saveVerifyReport: z
      .object({ archivePath: pathSchema, text: z.string().max(64 * 1024 * 1024) })
      .strict(),
    /** Drag entries out of the window: main extracts them to a temp folder and starts an OS drag of those files. */
    startDragOut: z
      .object({ archivePath: pathSchema, entries: z.array(entryPathSchema).min(1).max(10_000), password: passwordSchema })
      .strict(),
    revealInFolder: z.object({ path: pathSchema }).strict(),
  } as const;
}

// Built in a function marked pure so the preload bundle, which needs only the channel names, drops zod.
export const requestSchemas = /* @__PURE__ */ makeRequestSchemas();

export type Channel = keyof ReturnType<typeof makeRequestSchemas>;
/** Every channel; the preload allows exactly these. */
export const CHANNELS = [
  'suggestArchivePath',
  'chooseInputs',
  'chooseArchiveDestination',
  'chooseArchiveToOpen',
  'chooseExtractFolder',
  'presetChoices',
  'startCreate',
  'startExtract',
  'startVerify',
  'cancelJob',
  'openArchive',
  'findConflicts',
  'recentArchives',
  'forgetRecent',
  'saveVerifyReport',
  'startDragOut',
  'revealInFolder',
] as const satisfies readonly Channel[];
type MissingChannel = Exclude<Channel, (typeof CHANNELS)[number]>;
type Assert<T extends true> = T;
/** Fails to compile when a schema's channel is missing from CHANNELS. */
export type ChannelsComplete = Assert<[MissingChannel] extends [never] ? true : false>;
export type Requests = { [C in Channel]: z.infer<ReturnType<typeof makeRequestSchemas>[C]> };

/** One remembered archive, as the catalog stores it. */
export interface RecentArchive {
  path: string;
  sizeBytes: number;
  entries: number;
  /** Raw bytes / packed bytes; 0 when the archive holds no data. */
  ratio: number;
  /** Names of the models the archive needs, comma-separated; '' for classical-only archives. */
  model: string;
  lastOpenedAt: string;
  /** ISO time of the last verify, or null if never verified. */
  lastVerifiedAt: string | null;
  lastVerifyOk: boolean | null;
  /** False when the file is no longer where it was. */
  exists: boolean;
}

export interface JobStarted {
  jobId: string;
}

export interface Responses {
  suggestArchivePath: string;
  chooseInputs: string[] | null;
  chooseArchiveDestination: string | null;
  chooseArchiveToOpen: string | null;
  chooseExtractFolder: string | null;
  presetChoices: PresetMenu;
  startCreate: JobStarted;
  startExtract: JobStarted;
  startVerify: JobStarted;
  cancelJob: { cancelled: boolean };
  openArchive: ArchiveListing;
  findConflicts: string[];
  recentArchives: RecentArchive[];
  forgetRecent: null;
  saveVerifyReport: string | null;
  startDragOut: null;
  revealInFolder: null;
}

/** What the user is told when something fails: plain sentences, never a stack trace. */
export interface UserError {
  /** The engine's error code, or 'invalid-request' / 'path-refused' (a path the user did not choose) / 'internal'. */
  code: ErrorCode | 'invalid-request' | 'path-refused' | 'internal';
  /** What happened, in one sentence. */
  message: string;
  /** What the user can do next, in one sentence. */
  nextStep: string;
}

/** Every invoke answers with a Result: errors keep their code across the IPC boundary, which thrown errors do not. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError };

export type JobKind = 'create' | 'extract' | 'verify';

export type JobOutcome =
  | { kind: 'create'; summary: CreateSummary }
  | { kind: 'extract'; summary: ExtractSummary; destDir: string }
  | { kind: 'verify'; report: VerifyReport };

/** Main -> renderer messages. */
export type AppEvent =
  | { type: 'job-progress'; jobId: string; progress: Progress }
  | { type: 'job-done'; jobId: string; outcome: JobOutcome }
  | { type: 'job-failed'; jobId: string; error: UserError }
  | { type: 'job-cancelled'; jobId: string }
  /** The OS or the menu asks to open an archive (file association, "open with", recent menu). */
  | { type: 'open-archive'; archivePath: string }
  /** A menu item the renderer acts on. */
  | { type: 'menu'; command: MenuCommand };

export type MenuCommand = 'new-archive' | 'open-archive' | 'extract-all' | 'verify' | 'close-archive';

/** What the preload exposes as `window.octozip`; the e2e bridge exposes the same shape. */
export interface OctozipApi {
  call<C extends Channel>(channel: C, request: Requests[C]): Promise<Result<Responses[C]>>;
  /** Subscribes to AppEvents; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** The file-system path of a dropped File (Electron's webUtils.getPathForFile); '' when it has none. */
  pathForFile(file: File): string;
}

// ---- main <-> engine host ----
// The host runs engine requests one message at a time; long ones report progress and can be cancelled by id.

export type HostMethod = 'create' | 'extract' | 'verify' | 'list' | 'catalogRemember' | 'catalogList' | 'catalogForget' | 'catalogRecordVerify';

export interface CatalogRememberParams {
  archivePath: string;
  sizeBytes: number;
  entries: number;
  ratio: number;
  model: string;
}

export interface HostParams {
  create: { inputs: string[]; archivePath: string; preset: Preset; blockBytes?: number; password?: string; overwrite?: boolean };
  extract: { archivePath: string; destDir: string; entries?: string[]; conflict: ConflictPolicy; password?: string };
  verify: { archivePath: string; password?: string };
  list: { archivePath: string; password?: string };
  catalogRemember: CatalogRememberParams;
  catalogList: Record<string, never>;
  catalogForget: { archivePath: string };
  catalogRecordVerify: { archivePath: string; ok: boolean; at: string };
}

export interface HostResults {
  create: CreateSummary;
  extract: ExtractSummary;
  verify: VerifyReport;
  list: ArchiveListing;
  catalogRemember: null;
  catalogList: Omit<RecentArchive, 'exists'>[];
  catalogForget: null;
  catalogRecordVerify: null;
}

/** An engine failure as it crosses the process boundary: the code survives, the stack stays behind. */
export interface HostError {
  code: ErrorCode | 'internal';
  message: string;
  subject?: string;
}

export type HostRequest =
  | { type: 'request'; id: number; method: HostMethod; params: unknown }
  | { type: 'cancel'; id: number };

export type HostReply =
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: HostError }
  /** Sent once when the host has loaded and can take requests. */
  | { type: 'ready' };

export type { EntryVerdict };
