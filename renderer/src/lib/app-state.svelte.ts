// The app's state and every user action, in one place the screens read from. Screens render; this decides.
import type {
  AppEvent,
  ArchiveListing,
  ConflictPolicy,
  CreateSummary,
  ExtractSummary,
  JobKind,
  MenuCommand,
  Preset,
  PresetMenu,
  Progress,
  RecentArchive,
  UserError,
  VerifyReport,
} from '../../../electron/contract.ts';
import { AppFailure, call, onAppEvent, userErrorOf } from './octozip.ts';
import { baseName, dirName } from './format.ts';
import { verifyReportText } from './verify-report-text.ts';

export type ReturnScreen = 'welcome' | 'browse' | 'create-setup';

export type Screen =
  | { name: 'welcome' }
  | { name: 'create-setup' }
  | { name: 'job' }
  | { name: 'create-summary'; summary: CreateSummary; preset: Preset }
  | { name: 'browse' }
  | { name: 'extract-summary'; summary: ExtractSummary; destDir: string }
  | { name: 'verify-report'; report: VerifyReport; archivePath: string }
  | { name: 'error'; error: UserError; back: ReturnScreen };

export interface CreateDraft {
  inputs: string[];
  archivePath: string;
  preset: Preset;
  /** A solid block size chosen instead of the preset's (bytes), or null for the preset's own. */
  blockBytes: number | null;
  password: string;
  /** True once the user confirmed replacing an existing file in the save dialog. */
  overwrite: boolean;
}

export interface ActiveJob {
  kind: JobKind;
  jobId: string | null;
  /** The archive the job reads or writes. */
  archivePath: string;
  preset: Preset | null;
  progress: Progress | null;
  startedAt: number;
  cancelling: boolean;
  returnTo: ReturnScreen;
}

export interface OpenArchive {
  path: string;
  listing: ArchiveListing;
  password?: string;
}

export interface ConflictPrompt {
  destDir: string;
  conflicts: string[];
  entries: string[] | undefined;
}

export interface PasswordPrompt {
  archivePath: string;
  wrong: boolean;
  /** What to do with the password once the user gives it. */
  retry: (password: string) => Promise<void>;
}

export class AppState {
  screen = $state<Screen>({ name: 'welcome' });
  recent = $state<RecentArchive[]>([]);
  draft = $state<CreateDraft | null>(null);
  /** The engine's presets, asked for once, before the first create screen. */
  presetMenu = $state<PresetMenu | null>(null);
  job = $state<ActiveJob | null>(null);
  archive = $state<OpenArchive | null>(null);
  conflict = $state<ConflictPrompt | null>(null);
  passwordPrompt = $state<PasswordPrompt | null>(null);
  /** Read out by screen readers through an aria-live region. */
  announcement = $state('');
  busy = $state(false);

  /** Events that arrive for a job whose start has not answered yet. */
  private readonly earlyEvents = new Map<string, AppEvent[]>();

  /** Subscribes to the app's events; returns the unsubscribe function. */
  start(): () => void {
    const unsubscribe = onAppEvent((event) => this.handleEvent(event));
    void this.loadRecent();
    return unsubscribe;
  }

  get jobRunning(): boolean {
    return this.screen.name === 'job';
  }

  private announce(text: string): void {
    this.announcement = text;
  }

  fail(err: unknown, back: ReturnScreen): void {
    const error = userErrorOf(err);
    this.screen = { name: 'error', error, back };
    this.announce(`${error.message} ${error.nextStep}`);
  }

  goBack(to: ReturnScreen): void {
    this.screen = to === 'browse' && this.archive ? { name: 'browse' } : to === 'create-setup' && this.draft ? { name: 'create-setup' } : { name: 'welcome' };
    if (this.screen.name === 'welcome') void this.loadRecent();
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = await call('recentArchives', {});
    } catch {
      // The recent list is a convenience; the welcome screen works without it.
      this.recent = [];
    }
  }

  // ---- create ----

  async beginCreate(inputs: string[]): Promise<void> {
    if (inputs.length === 0) return;
    try {
      const archivePath = await call('suggestArchivePath', { inputs });
      const menu = (this.presetMenu ??= await call('presetChoices', {}));
      const preset = this.draft?.preset ?? menu.defaultPreset;
      this.draft = { inputs, archivePath, preset, blockBytes: this.draft?.blockBytes ?? null, password: '', overwrite: false };
      this.screen = { name: 'create-setup' };
    } catch (err) {
      this.fail(err, 'welcome');
    }
  }

  async chooseInputsAndCreate(): Promise<void> {
    if (this.jobRunning) return;
    try {
      const inputs = await call('chooseInputs', {});
      if (inputs) await this.beginCreate(inputs);
    } catch (err) {
      this.fail(err, 'welcome');
    }
  }

  async chooseDestination(): Promise<void> {
    if (!this.draft) return;
    try {
      const chosen = await call('chooseArchiveDestination', { defaultPath: this.draft.archivePath });
      if (chosen) {
        // Main returns the name with .octz added if the user left it off, and replaces a file only if the save
        // dialog asked the user about that very file: asking to overwrite here cannot replace anything else.
        this.draft.archivePath = chosen;
        this.draft.overwrite = true;
      }
    } catch (err) {
      this.fail(err, 'create-setup');
    }
  }

  async createArchive(): Promise<void> {
    const draft = this.draft;
    if (!draft || this.jobRunning) return;
    const request = {
      inputs: [...draft.inputs],
      archivePath: draft.archivePath,
      preset: draft.preset,
      ...(draft.blockBytes === null ? {} : { blockBytes: draft.blockBytes }),
      ...(draft.overwrite ? { overwrite: true } : {}),
      ...(draft.password === '' ? {} : { password: draft.password }),
    };
    await this.runJob({ kind: 'create', archivePath: draft.archivePath, preset: draft.preset, returnTo: 'create-setup' }, () =>
      call('startCreate', request),
    );
  }

  // ---- jobs ----

  private async runJob(
    job: Pick<ActiveJob, 'kind' | 'archivePath' | 'preset' | 'returnTo'>,
    startJob: () => Promise<{ jobId: string }>,
  ): Promise<void> {
    this.job = { ...job, jobId: null, progress: null, startedAt: Date.now(), cancelling: false };
    this.screen = { name: 'job' };
    try {
      const { jobId } = await startJob();
      if (!this.job) return;
      this.job.jobId = jobId;
      const early = this.earlyEvents.get(jobId) ?? [];
      this.earlyEvents.delete(jobId);
      for (const event of early) this.handleEvent(event);
    } catch (err) {
      this.job = null;
      this.fail(err, job.returnTo);
    }
  }

  async cancelJob(): Promise<void> {
    const job = this.job;
    if (!job || job.cancelling) return;
    job.cancelling = true;
    this.announce('Cancelling…');
    if (job.jobId === null) return;
    try {
      await call('cancelJob', { jobId: job.jobId });
    } catch (err) {
      this.fail(err, job.returnTo);
    }
  }

  handleEvent(event: AppEvent): void {
    if (event.type === 'open-archive') {
      if (!this.jobRunning) void this.openArchive(event.archivePath);
      return;
    }
    if (event.type === 'menu') {
      void this.runMenuCommand(event.command);
      return;
    }
    const job = this.job;
    if (!job) return;
    if (job.jobId === null) {
      const queue = this.earlyEvents.get(event.jobId) ?? [];
      queue.push(event);
      this.earlyEvents.set(event.jobId, queue);
      return;
    }
    if (event.jobId !== job.jobId) return;
    switch (event.type) {
      case 'job-progress':
        job.progress = event.progress;
        return;
      case 'job-cancelled':
        this.job = null;
        this.goBack(job.returnTo);
        this.announce('Cancelled. Nothing was changed.');
        return;
      case 'job-failed':
        this.job = null;
        if (this.shouldAskPassword(event.error.code, this.archive?.password) && job.kind !== 'create') {
          this.goBack(job.returnTo);
          this.askPassword(job.archivePath, event.error.code === 'wrong-password', (password) => {
            if (this.archive) this.archive.password = password;
            return job.kind === 'verify' ? this.verify() : this.extract(this.lastExtractEntries);
          });
          return;
        }
        this.fail(new AppFailure(event.error), job.returnTo);
        return;
      case 'job-done': {
        this.job = null;
        const { outcome } = event;
        if (outcome.kind === 'create') {
          this.screen = { name: 'create-summary', summary: outcome.summary, preset: job.preset ?? 'balanced' };
          this.announce('Archive created.');
          void this.loadRecent();
        } else if (outcome.kind === 'extract') {
          this.screen = { name: 'extract-summary', summary: outcome.summary, destDir: outcome.destDir };
          this.announce('Extraction finished.');
        } else {
          this.screen = { name: 'verify-report', report: outcome.report, archivePath: job.archivePath };
          this.announce(outcome.report.ok ? 'Verified: every entry is intact.' : 'Verify found problems.');
        }
        return;
      }
    }
  }

  async runMenuCommand(command: MenuCommand): Promise<void> {
    if (this.jobRunning) return;
    switch (command) {
      case 'new-archive':
        return this.chooseInputsAndCreate();
      case 'open-archive':
        return this.chooseAndOpenArchive();
      case 'extract-all':
        return this.archive ? this.extract(undefined) : undefined;
      case 'verify':
        return this.archive ? this.verify() : undefined;
      case 'close-archive':
        return this.closeArchive();
    }
  }

  // ---- open and browse ----

  async chooseAndOpenArchive(): Promise<void> {
    try {
      const path = await call('chooseArchiveToOpen', {});
      if (path) await this.openArchive(path);
    } catch (err) {
      this.fail(err, 'welcome');
    }
  }

  /** Ask for a password when one is needed and none was given, or when the one given was wrong; a build that
   *  cannot decrypt at all says "password required" even with a password, and asking again would loop. */
  private shouldAskPassword(code: UserError['code'], given: string | undefined): boolean {
    return code === 'wrong-password' || (code === 'password-required' && given === undefined);
  }

  askPassword(archivePath: string, wrong: boolean, retry: (password: string) => Promise<void>): void {
    this.passwordPrompt = { archivePath, wrong, retry };
  }

  async submitPassword(password: string | null): Promise<void> {
    const prompt = this.passwordPrompt;
    this.passwordPrompt = null;
    if (prompt && password !== null) await prompt.retry(password);
  }

  async openArchive(archivePath: string, password?: string): Promise<void> {
    this.busy = true;
    try {
      const listing = await call('openArchive', password === undefined ? { archivePath } : { archivePath, password });
      this.archive = password === undefined ? { path: archivePath, listing } : { path: archivePath, listing, password };
      this.screen = { name: 'browse' };
      this.announce(`Opened ${baseName(archivePath)}: ${listing.entries.length} entries.`);
      void this.loadRecent();
    } catch (err) {
      const code = userErrorOf(err).code;
      if (this.shouldAskPassword(code, password)) {
        this.askPassword(archivePath, code === 'wrong-password', (p) => this.openArchive(archivePath, p));
      } else {
        this.fail(err, this.archive ? 'browse' : 'welcome');
      }
    } finally {
      this.busy = false;
    }
  }

  closeArchive(): void {
    this.archive = null;
    this.goBack('welcome');
  }

  async forgetRecent(path: string): Promise<void> {
    try {
      await call('forgetRecent', { archivePath: path });
      await this.loadRecent();
    } catch (err) {
      this.fail(err, 'welcome');
    }
  }

  async reveal(path: string): Promise<void> {
    try {
      await call('revealInFolder', { path });
    } catch (err) {
      this.fail(err, 'welcome');
    }
  }

  // ---- extract ----

  private lastExtractEntries: string[] | undefined = undefined;

  /** `entries` undefined extracts everything. Asks for a folder, then about conflicts, then runs. */
  async extract(entries: string[] | undefined): Promise<void> {
    const archive = this.archive;
    if (!archive || this.jobRunning) return;
    this.lastExtractEntries = entries;
    try {
      const destDir = await call('chooseExtractFolder', { defaultPath: dirName(archive.path) });
      if (!destDir) return;
      const names = entries ?? archive.listing.entries.map((e) => e.path);
      const conflicts = await call('findConflicts', { destDir, entries: names });
      if (conflicts.length > 0) {
        this.conflict = { destDir, conflicts, entries };
        return;
      }
      await this.startExtract(destDir, entries, 'rename');
    } catch (err) {
      this.fail(err, 'browse');
    }
  }

  async resolveConflict(policy: ConflictPolicy | null): Promise<void> {
    const prompt = this.conflict;
    this.conflict = null;
    if (prompt && policy) await this.startExtract(prompt.destDir, prompt.entries, policy);
  }

  private async startExtract(destDir: string, entries: string[] | undefined, conflict: ConflictPolicy): Promise<void> {
    const archive = this.archive!;
    const request = {
      archivePath: archive.path,
      destDir,
      conflict,
      ...(entries ? { entries } : {}),
      ...(archive.password ? { password: archive.password } : {}),
    };
    await this.runJob({ kind: 'extract', archivePath: archive.path, preset: null, returnTo: 'browse' }, () => call('startExtract', request));
  }

  async dragOut(entries: string[]): Promise<void> {
    const archive = this.archive;
    if (!archive || entries.length === 0) return;
    try {
      await call('startDragOut', { archivePath: archive.path, entries, ...(archive.password ? { password: archive.password } : {}) });
    } catch (err) {
      this.fail(err, 'browse');
    }
  }

  // ---- verify ----

  async verify(): Promise<void> {
    const archive = this.archive;
    if (!archive || this.jobRunning) return;
    const request = { archivePath: archive.path, ...(archive.password ? { password: archive.password } : {}) };
    await this.runJob({ kind: 'verify', archivePath: archive.path, preset: null, returnTo: 'browse' }, () => call('startVerify', request));
  }

  async saveVerifyReport(archivePath: string, report: VerifyReport): Promise<void> {
    try {
      const saved = await call('saveVerifyReport', { archivePath, text: verifyReportText(archivePath, report, new Date()) });
      if (saved) this.announce(`Report saved to ${saved}.`);
    } catch (err) {
      this.fail(err, 'browse');
    }
  }

  // ---- drop ----

  /** Files dropped on the window: one archive opens it, anything else starts a new archive of it. */
  async drop(paths: string[]): Promise<void> {
    if (this.jobRunning || paths.length === 0) return;
    if (paths.length === 1 && paths[0]!.toLowerCase().endsWith('.octz')) await this.openArchive(paths[0]!);
    else await this.beginCreate(paths);
  }
}
