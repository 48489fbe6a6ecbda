// Every IPC request, as plain functions over injected services. Main registers them on ipcMain; the e2e test
// bridge calls the very same code from Chromium, so what the tests exercise is what the app runs.
import { existsSync, lstatSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { basename, dirname, extname, join, sep } from 'node:path';
import {
  CHANNELS,
  PRESET_MENU,
  requestSchemas,
  type AppEvent,
  type ArchiveListing,
  type Channel,
  type Requests,
  type Responses,
  type Result,
} from '../contract.ts';
import type { EngineService } from './engine-client.ts';
import type { JobRegistry } from './jobs.ts';
import { invalidRequest, toUserError } from './user-errors.ts';
import { writeFileAtomic } from './atomic-write.ts';

export interface DialogService {
  chooseInputs(): Promise<string[] | null>;
  chooseArchiveDestination(defaultPath: string): Promise<string | null>;
  chooseArchiveToOpen(): Promise<string | null>;
  chooseExtractFolder(defaultPath?: string): Promise<string | null>;
  chooseReportDestination(defaultPath: string): Promise<string | null>;
}

export interface ShellService {
  revealInFolder(path: string): void;
}

/** The window a request came from: where its job events go and where a drag starts. */
export interface SenderContext {
  emit(event: AppEvent): void;
  startDrag(files: string[]): void;
}

export interface AppServices {
  engine: EngineService;
  dialogs: DialogService;
  shell: ShellService;
  jobs: JobRegistry;
  /** Folder under which drag-out extractions are made (the OS temp folder in the app). */
  tempRoot: string;
  /** Told whenever the recent list changes (main rebuilds its Open Recent menu). */
  onRecentChanged?(): void;
  /** Where failures that the user need not see (catalog writes) are logged. */
  log?(message: string): void;
}

export const ARCHIVE_EXTENSION = '.octz';

/** `name.octz` beside `first`; for several inputs the name is "Archive". Adds " 2", " 3"... until it is free. */
export function suggestArchivePath(inputs: readonly string[], exists: (p: string) => boolean = existsSync): string {
  const first = inputs[0]!.replace(/[\\/]+$/, '') || inputs[0]!;
  const folder = dirname(first);
  let stem = 'Archive';
  if (inputs.length === 1) {
    const name = basename(first);
    const ext = extname(name);
    // A file keeps its stem ("report.txt" -> "report"); a dot-file or folder keeps its whole name.
    stem = ext && ext !== name && !isDirectory(first) ? name.slice(0, -ext.length) : name;
    if (stem === '' || stem === '.' || stem === sep) stem = 'Archive';
  }
  for (let n = 1; ; n++) {
    const candidate = join(folder, `${stem}${n === 1 ? '' : ` ${n}`}${ARCHIVE_EXTENSION}`);
    if (!exists(candidate)) return candidate;
  }
}

function isDirectory(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** First path segment of an archive entry path, or null when it is not a plain name. */
function topLevelName(entryPath: string): string | null {
  const top = entryPath.split('/')[0]!;
  if (top === '' || top === '.' || top === '..' || top.includes('\\') || top.includes(':')) return null;
  return top;
}

/** Entries whose ancestor is also selected are covered by it: drag or extract only the outermost. */
export function outermostEntries(entries: readonly string[]): string[] {
  const unique = [...new Set(entries)].sort();
  const result: string[] = [];
  for (const e of unique) {
    if (!result.some((kept) => e.startsWith(`${kept}/`))) result.push(e);
  }
  return result;
}

function listingStats(listing: ArchiveListing) {
  const { info } = listing;
  return {
    sizeBytes: info.archiveBytes,
    entries: info.entries,
    ratio: info.archiveBytes > 0 ? info.rawBytes / info.archiveBytes : 0,
    model: info.models.map((m) => m.name).join(', '),
  };
}

type Implementations = { [C in Channel]: (request: Requests[C], sender: SenderContext) => Promise<Responses[C]> };

export interface Handlers {
  /** Validates `request` against the channel's schema, runs it, and never throws. */
  handle(channel: string, request: unknown, sender: SenderContext): Promise<Result<unknown>>;
  /** Folders made for drag-out; main deletes them on quit. */
  readonly dragFolders: readonly string[];
}

export function createHandlers(services: AppServices): Handlers {
  const { engine, dialogs, shell, jobs } = services;
  const log = services.log ?? (() => {});
  const dragFolders: string[] = [];

  // Catalog updates are a convenience: a failure there must never fail the user's job.
  async function rememberArchive(archivePath: string, password: string | undefined): Promise<void> {
    try {
      const listing = await engine.request('list', password === undefined ? { archivePath } : { archivePath, password });
      await engine.request('catalogRemember', { archivePath, ...listingStats(listing) });
      services.onRecentChanged?.();
    } catch (err) {
      log(`Could not add ${archivePath} to the recent list: ${String(err)}`);
    }
  }

  const impl: Implementations = {
    suggestArchivePath: async ({ inputs }) => suggestArchivePath(inputs),
    chooseInputs: () => dialogs.chooseInputs(),
    chooseArchiveDestination: ({ defaultPath }) => dialogs.chooseArchiveDestination(defaultPath),
    chooseArchiveToOpen: () => dialogs.chooseArchiveToOpen(),
    chooseExtractFolder: ({ defaultPath }) => dialogs.chooseExtractFolder(defaultPath),
    presetChoices: async () => PRESET_MENU,

    startCreate: async (req, sender) => ({
      jobId: jobs.start(async ({ signal, onProgress }) => {
        const summary = await engine.request('create', req, { signal, onProgress });
        await rememberArchive(summary.archivePath, req.password);
        return { kind: 'create', summary };
      }, sender.emit),
    }),

    startExtract: async (req, sender) => ({
      jobId: jobs.start(async ({ signal, onProgress }) => {
        const summary = await engine.request('extract', req, { signal, onProgress });
        return { kind: 'extract', summary, destDir: req.destDir };
      }, sender.emit),
    }),

    startVerify: async (req, sender) => ({
      jobId: jobs.start(async ({ signal, onProgress }) => {
        const report = await engine.request('verify', req, { signal, onProgress });
        try {
          await engine.request('catalogRecordVerify', { archivePath: req.archivePath, ok: report.ok, at: new Date().toISOString() });
          services.onRecentChanged?.();
        } catch (err) {
          log(`Could not record the verify result of ${req.archivePath}: ${String(err)}`);
        }
        return { kind: 'verify', report };
      }, sender.emit),
    }),

    cancelJob: async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),

    openArchive: async ({ archivePath, password }) => {
      const listing = await engine.request('list', password === undefined ? { archivePath } : { archivePath, password });
      try {
        await engine.request('catalogRemember', { archivePath, ...listingStats(listing) });
        services.onRecentChanged?.();
      } catch (err) {
        log(`Could not add ${archivePath} to the recent list: ${String(err)}`);
      }
      return listing;
    },

    findConflicts: async ({ destDir, entries }) => {
      const tops = new Set<string>();
      for (const e of entries) {
        const top = topLevelName(e);
        if (top !== null) tops.add(top);
      }
      return [...tops].filter((top) => {
        try {
          lstatSync(join(destDir, top));
          return true;
        } catch {
          return false;
        }
      });
    },

    recentArchives: async () => {
      const rows = await engine.request('catalogList', {});
      return rows.map((r) => ({ ...r, exists: existsSync(r.path) }));
    },

    forgetRecent: async ({ archivePath }) => {
      await engine.request('catalogForget', { archivePath });
      services.onRecentChanged?.();
      return null;
    },

    saveVerifyReport: async ({ archivePath, text }) => {
      const stem = basename(archivePath, ARCHIVE_EXTENSION);
      const target = await dialogs.chooseReportDestination(join(dirname(archivePath), `${stem} verify report.txt`));
      if (target === null) return null;
      await writeFileAtomic(target, text);
      return target;
    },

    startDragOut: async ({ archivePath, entries, password }, sender) => {
      const folder = await mkdtemp(join(services.tempRoot, 'octozip-drag-'));
      dragFolders.push(folder);
      const selected = outermostEntries(entries);
      const params = { archivePath, destDir: folder, entries: selected, conflict: 'overwrite' as const };
      await engine.request('extract', password === undefined ? params : { ...params, password });
      sender.startDrag(selected.map((e) => join(folder, ...e.split('/'))));
      return null;
    },

    revealInFolder: async ({ path }) => {
      shell.revealInFolder(path);
      return null;
    },
  };

  return {
    dragFolders,
    async handle(channel, request, sender) {
      if (!(CHANNELS as readonly string[]).includes(channel)) {
        return { ok: false, error: invalidRequest() };
      }
      const c = channel as Channel;
      try {
        const parsed = requestSchemas[c].parse(request);
        const run = impl[c] as (r: unknown, s: SenderContext) => Promise<unknown>;
        return { ok: true, value: await run(parsed, sender) };
      } catch (err) {
        return { ok: false, error: toUserError(err) };
      }
    },
  };
}
