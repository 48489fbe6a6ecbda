// Every IPC request, as plain functions over injected services. Main registers them on ipcMain; the e2e test
// bridge calls the very same code from Chromium, so what the tests exercise is what the app runs.
// The renderer is not trusted with paths: each handler resolves every path it is sent through main's path
// grants (path-grants.ts) before anything touches the disk, and uses the granted path from then on.
import { existsSync, lstatSync } from 'node:fs';
import { basename, dirname, extname, join, sep } from 'node:path';
import { z } from 'zod';
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
  type UserError,
} from '../contract.ts';
import type { EngineService } from './engine-client.ts';
import type { JobRegistry } from './jobs.ts';
import { hideFolders, invalidRequest, toUserError, type HiddenFolder } from './user-errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { dragTargets, makeDragFolder, sweepDragFolders } from './drag-out.ts';
import { ARCHIVE_EXTENSION, hasArchiveExtension, type PathGrants, type PathUse } from './path-grants.ts';

export { ARCHIVE_EXTENSION };

export interface DialogService {
  chooseInputs(): Promise<string[] | null>;
  chooseArchiveDestination(defaultPath?: string): Promise<string | null>;
  chooseArchiveToOpen(): Promise<string | null>;
  chooseExtractFolder(defaultPath?: string): Promise<string | null>;
  chooseReportDestination(defaultPath?: string): Promise<string | null>;
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
  /** What the user chose; shared with main, which adds what the OS opened with the app. */
  grants: PathGrants;
  /** The app's own folder for drag-out extractions (under its data folder in the app). */
  dragRoot: string;
  /** Other folders of the app's own whose paths never reach the page (data folder, installation). */
  hiddenFolders?: readonly HiddenFolder[];
  /** Told whenever the recent list changes (main rebuilds its Open Recent menu). */
  onRecentChanged?(): void;
  /** Where failures that the user need not see (catalog writes) are logged. */
  log?(message: string): void;
}

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
  /** Paths of a real drop, as the preload reports them (DROP_CHANNEL): granted as inputs, .octz files as archives. */
  registerDrop(paths: unknown): void;
  /** The recent catalog's paths, each granted as an archive; entries this platform must refuse are forgotten. */
  recentArchivePaths(): Promise<string[]>;
  /** Removes drag folders an earlier run left behind (main calls it at start). */
  sweepDragFolders(): Promise<number>;
  /** Folders made for drag-out; main deletes them on quit. */
  readonly dragFolders: readonly string[];
}

const dropSchema = z.array(z.string().min(1).max(4096).refine((p) => !p.includes('\0'))).min(1).max(100_000);

export function createHandlers(services: AppServices): Handlers {
  const { engine, dialogs, shell, jobs, grants } = services;
  const log = services.log ?? (() => {});
  const dragFolders: string[] = [];
  const hidden: HiddenFolder[] = [{ folder: services.dragRoot, label: 'a temporary drag folder' }, ...(services.hiddenFolders ?? [])];
  const describe = (err: unknown): UserError => hideFolders(toUserError(err), hidden);

  /** A sender whose job failures name no folder of the app's own. */
  function jobEvents(sender: SenderContext): (event: AppEvent) => void {
    return (event) => sender.emit(event.type === 'job-failed' ? { ...event, error: hideFolders(event.error, hidden) } : event);
  }

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

  async function recentRows() {
    const rows = await engine.request('catalogList', {});
    const kept = [];
    for (const row of rows) {
      if (grants.problem(row.path) === null) {
        grants.grant(row.path, 'read-archive');
        kept.push(row);
        continue;
      }
      // Kept from before paths were checked (a UNC share, say): never touch it again, not even to stat it.
      try {
        await engine.request('catalogForget', { archivePath: row.path });
      } catch (err) {
        log(`Could not forget a refused recent path: ${String(err)}`);
      }
    }
    return kept;
  }

  /** What a dialog returned, granted for `use`; null (cancelled) stays null. */
  const grantOne = (p: string | null, use: PathUse) => (p === null ? null : grants.grant(p, use));

  const impl: Implementations = {
    suggestArchivePath: async ({ inputs }) => {
      const chosen = inputs.map((p) => grants.require(p, 'read-input'));
      // The suggestion is a free name beside the user's own inputs: it may be created, never replace anything.
      return grants.grant(suggestArchivePath(chosen), 'create-archive');
    },
    chooseInputs: async () => (await dialogs.chooseInputs())?.map((p) => grants.grant(p, 'read-input')) ?? null,
    chooseArchiveDestination: async ({ defaultPath }) => {
      const chosen = await dialogs.chooseArchiveDestination(grants.dialogStart(defaultPath));
      if (chosen === null) return null;
      // The dialog confirmed replacing `chosen` itself; a name extended with .octz was never asked about.
      return hasArchiveExtension(chosen)
        ? grants.grant(chosen, 'create-archive', 'replace-archive')
        : grants.grant(`${chosen}${ARCHIVE_EXTENSION}`, 'create-archive');
    },
    chooseArchiveToOpen: async () => grantOne(await dialogs.chooseArchiveToOpen(), 'read-archive'),
    chooseExtractFolder: async ({ defaultPath }) => grantOne(await dialogs.chooseExtractFolder(grants.dialogStart(defaultPath)), 'extract-into'),
    presetChoices: async () => PRESET_MENU,

    startCreate: async (req, sender) => {
      const inputs = req.inputs.map((p) => grants.require(p, 'read-input'));
      const archivePath = grants.require(req.archivePath, 'create-archive');
      // The page may ask to replace; only a save dialog that asked the user about this very path allows it.
      const overwrite = req.overwrite === true && grants.allows(archivePath, 'replace-archive');
      const params = { ...req, inputs, archivePath, overwrite };
      return {
        jobId: jobs.start(async ({ signal, onProgress }) => {
          const summary = await engine.request('create', params, { signal, onProgress });
          grants.grant(archivePath, 'read-archive');
          await rememberArchive(archivePath, req.password);
          return { kind: 'create', summary };
        }, jobEvents(sender)),
      };
    },

    startExtract: async (req, sender) => {
      const params = { ...req, archivePath: grants.require(req.archivePath, 'read-archive'), destDir: grants.require(req.destDir, 'extract-into') };
      return {
        jobId: jobs.start(async ({ signal, onProgress }) => {
          const summary = await engine.request('extract', params, { signal, onProgress });
          return { kind: 'extract', summary, destDir: params.destDir };
        }, jobEvents(sender)),
      };
    },

    startVerify: async (req, sender) => {
      const params = { ...req, archivePath: grants.require(req.archivePath, 'read-archive') };
      return {
        jobId: jobs.start(async ({ signal, onProgress }) => {
          const report = await engine.request('verify', params, { signal, onProgress });
          try {
            await engine.request('catalogRecordVerify', { archivePath: params.archivePath, ok: report.ok, at: new Date().toISOString() });
            services.onRecentChanged?.();
          } catch (err) {
            log(`Could not record the verify result of ${params.archivePath}: ${String(err)}`);
          }
          return { kind: 'verify', report };
        }, jobEvents(sender)),
      };
    },

    cancelJob: async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),

    openArchive: async (req) => {
      const archivePath = grants.require(req.archivePath, 'read-archive');
      const listing = await engine.request('list', req.password === undefined ? { archivePath } : { archivePath, password: req.password });
      try {
        await engine.request('catalogRemember', { archivePath, ...listingStats(listing) });
        services.onRecentChanged?.();
      } catch (err) {
        log(`Could not add ${archivePath} to the recent list: ${String(err)}`);
      }
      return listing;
    },

    findConflicts: async (req) => {
      const destDir = grants.require(req.destDir, 'extract-into');
      const tops = new Set<string>();
      for (const e of req.entries) {
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

    recentArchives: async () => (await recentRows()).map((r) => ({ ...r, exists: existsSync(r.path) })),

    forgetRecent: async (req) => {
      await engine.request('catalogForget', { archivePath: grants.require(req.archivePath, 'read-archive') });
      services.onRecentChanged?.();
      return null;
    },

    saveVerifyReport: async (req) => {
      const archivePath = grants.require(req.archivePath, 'read-archive');
      const stem = basename(archivePath, ARCHIVE_EXTENSION);
      const chosen = await dialogs.chooseReportDestination(join(dirname(archivePath), `${stem} verify report.txt`));
      if (chosen === null) return null;
      // Chosen in the dialog (which confirmed any replacing) and written here: it never passes through the page.
      const target = grants.validate(chosen);
      await writeFileAtomic(target, req.text);
      return target;
    },

    startDragOut: async (req, sender) => {
      const archivePath = grants.require(req.archivePath, 'read-archive');
      const password = req.password === undefined ? {} : { password: req.password };
      const listing = await engine.request('list', { archivePath, ...password });
      const selected = outermostEntries(req.entries);
      const listed = new Set(listing.entries.map((e) => e.path));
      // The names are the page's and the folder is main's: check them before a folder is even made.
      dragTargets(services.dragRoot, selected, listed);
      const folder = await makeDragFolder(services.dragRoot);
      dragFolders.push(folder);
      const targets = dragTargets(folder, selected, listed);
      await engine.request('extract', { archivePath, destDir: folder, entries: selected, conflict: 'overwrite', ...password });
      sender.startDrag(targets);
      return null;
    },

    revealInFolder: async ({ path }) => {
      shell.revealInFolder(grants.require(path));
      return null;
    },
  };

  return {
    dragFolders,
    registerDrop(paths) {
      const parsed = dropSchema.safeParse(paths);
      if (!parsed.success) return;
      for (const p of parsed.data) {
        // A path this platform refuses is not granted; using it later gives the reason (a UNC share, say).
        if (grants.problem(p) !== null) continue;
        if (hasArchiveExtension(p)) grants.grant(p, 'read-input', 'read-archive');
        else grants.grant(p, 'read-input');
      }
    },
    recentArchivePaths: async () => (await recentRows()).map((r) => r.path),
    sweepDragFolders: () => sweepDragFolders(services.dragRoot),
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
        const error = describe(err);
        if (error.code === 'internal') log(`${channel} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return { ok: false, error };
      }
    },
  };
}
