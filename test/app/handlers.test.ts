// IPC handlers against the real engine and a real catalog file, in process: validation, job control, and
// each request's effect on disk.
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent, Result } from '../../electron/contract.ts';
import { createHandlers, outermostEntries, suggestArchivePath, type Handlers } from '../../electron/app/handlers.ts';
import { execFileSync } from 'node:child_process';
import { BLOCK_SIZE_CHOICES, DEFAULT_PRESET, PRESET_CHOICES, PRESET_IDS, PRESETS } from '../../electron/engine/index.ts';
import type { EngineService } from '../../electron/app/engine-client.ts';
import { JobRegistry } from '../../electron/app/jobs.ts';
import { PathGrants } from '../../electron/app/path-grants.ts';
import { inProcessEngine, RecordingSender, ScriptedDialogs } from './helpers.ts';

let dir: string;
let handlers: Handlers;
const grants = new PathGrants();
let dialogs: ScriptedDialogs;
let jobs: JobRegistry;
const revealed: string[] = [];
let closeCatalog: () => void;
const engineCalls: { method: string; params: unknown }[] = [];

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value as T;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'octozip-handlers-'));
  mkdirSync(join(dir, 'src', 'docs'), { recursive: true });
  writeFileSync(join(dir, 'src', 'readme.txt'), 'Octozip keeps every byte.\n'.repeat(200));
  writeFileSync(join(dir, 'src', 'docs', 'notes.md'), '# Notes\n\nCompressed losslessly.\n'.repeat(50));
  const { client, catalog } = inProcessEngine(join(dir, 'catalog.sqlite'));
  closeCatalog = () => catalog.close();
  dialogs = new ScriptedDialogs();
  jobs = new JobRegistry();
  // The real engine, with a record of what reached it.
  const engine: EngineService = {
    request: (method, params, options) => {
      engineCalls.push({ method, params });
      return client.request(method, params, options);
    },
  };
  handlers = createHandlers({
    engine,
    dialogs,
    jobs,
    grants,
    shell: { revealInFolder: (p) => revealed.push(p) },
    dragRoot: join(dir, 'drag-out'),
  });
});

afterAll(() => {
  closeCatalog();
  rmSync(dir, { recursive: true, force: true });
});

describe('validation', () => {
  const sender = new RecordingSender();

  it('refuses unknown channels, extra keys, wrong types and NUL in paths, with a plain sentence', async () => {
    const bad: [string, unknown][] = [
      ['deleteEverything', {}],
      ['openArchive', { archivePath: '/x.octz', extra: 1 }],
      ['openArchive', { archivePath: 42 }],
      ['openArchive', { archivePath: '/x\0.octz' }],
      ['openArchive', null],
      ['startCreate', { inputs: [], archivePath: '/a.octz', preset: 'fast' }],
      ['startCreate', { inputs: ['/a'], archivePath: '/a.octz', preset: 'ultra' }],
      ['startCreate', { inputs: ['/a'], archivePath: '/a.octz', preset: 'fast', blockBytes: 512 * 1024 }],
      ['startCreate', { inputs: ['/a'], archivePath: '/a.octz', preset: 'fast', blockBytes: 128 * 1024 * 1024 }],
      ['startCreate', { inputs: ['/a'], archivePath: '/a.octz', preset: 'fast', blockBytes: 4 * 1024 * 1024 + 0.5 }],
      ['cancelJob', { jobId: '../../etc' }],
      ['startExtract', { archivePath: '/a.octz', destDir: '/d', conflict: 'merge' }],
    ];
    for (const [channel, request] of bad) {
      const result = await handlers.handle(channel, request, sender);
      expect(result.ok, `${channel} ${JSON.stringify(request)}`).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('invalid-request');
        expect(result.error.message).toMatch(/^[A-Z].*\.$/);
        expect(result.error.message).not.toMatch(/at .*\.ts:\d+/);
      }
    }
    expect(sender.events).toEqual([]);
  });

  it('turns engine errors into sentences with a next step', async () => {
    writeFileSync(join(dir, 'not-an-archive.octz'), 'plain text, not SQLite');
    handlers.registerDrop([join(dir, 'not-an-archive.octz'), join(dir, 'nowhere.octz')]);
    const result = await handlers.handle('openArchive', { archivePath: join(dir, 'not-an-archive.octz') }, sender);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('not-an-archive');
      expect(result.error.nextStep).toMatch(/\.octz/);
    }
    const missing = await handlers.handle('openArchive', { archivePath: join(dir, 'nowhere.octz') }, sender);
    expect(missing.ok).toBe(false);
  });
});

describe('presets', () => {
  it("serves the engine's presets and default, and startCreate accepts exactly their ids", async () => {
    const sender = new RecordingSender();
    const MiB = 1024 * 1024;
    expect(value(await handlers.handle('presetChoices', {}, sender))).toEqual({ choices: PRESET_CHOICES, defaultPreset: DEFAULT_PRESET, blockSizes: BLOCK_SIZE_CHOICES });
    expect(BLOCK_SIZE_CHOICES).toEqual([1, 2, 4, 8, 16, 32, 64].map((n) => n * MiB));
    expect(PRESET_CHOICES.map((c) => c.blockBytes)).toEqual(PRESET_IDS.map((id) => PRESETS[id].blockBytes));
    for (const preset of PRESET_IDS) {
      // The schema lets the preset through; the engine then refuses the missing input (chosen, as by a dialog).
      const request = {
        inputs: [grants.grant(join(dir, 'no-such-input'), 'read-input')],
        archivePath: grants.grant(join(dir, 'p.octz'), 'create-archive'),
        preset,
      };
      const { jobId } = value<{ jobId: string }>(await handlers.handle('startCreate', request, sender));
      expect(await sender.ended(jobId), preset).toMatchObject({ type: 'job-failed', error: { code: 'input' } });
    }
  });
});

describe('create, open, extract, verify through the handlers', () => {
  const sender = new RecordingSender();
  const archivePath = () => join(dir, 'src.octz');

  it('suggests a path beside the first item and creates the archive there, with progress and the chosen block size', async () => {
    handlers.registerDrop([join(dir, 'src')]);
    const suggested = value<string>(await handlers.handle('suggestArchivePath', { inputs: [join(dir, 'src')] }, sender));
    expect(suggested).toBe(archivePath());
    const { jobId } = value<{ jobId: string }>(
      await handlers.handle('startCreate', { inputs: [join(dir, 'src')], archivePath: suggested, preset: 'fast', blockBytes: 2 * 1024 * 1024 }, sender),
    );
    const end = await sender.ended(jobId);
    expect(end).toMatchObject({ type: 'job-done', outcome: { kind: 'create', summary: { files: 2, rawBytes: 26 * 200 + 32 * 50 } } });
    expect(sender.events.some((e) => e.type === 'job-progress' && e.jobId === jobId)).toBe(true);
    expect(existsSync(suggested)).toBe(true);
    expect(execFileSync('sqlite3', [suggested, "SELECT value FROM header WHERE key = 'block_bytes'"], { encoding: 'utf8' }).trim()).toBe(String(2 * 1024 * 1024));
    // The next suggestion for the same folder does not collide with the archive just made.
    expect(value<string>(await handlers.handle('suggestArchivePath', { inputs: [join(dir, 'src')] }, sender))).toBe(join(dir, 'src 2.octz'));
  });

  it('remembers created and opened archives in the catalog', async () => {
    const recent = value<{ path: string; entries: number; exists: boolean; ratio: number }[]>(await handlers.handle('recentArchives', {}, sender));
    expect(recent.map((r) => r.path)).toEqual([archivePath()]);
    expect(recent[0]).toMatchObject({ entries: 4, exists: true });
    expect(recent[0]!.ratio).toBeGreaterThan(0);
  });

  it('lists entries, reports conflicts, and extracts identical files', async () => {
    const listing = value<{ entries: { path: string }[] }>(await handlers.handle('openArchive', { archivePath: archivePath() }, sender));
    expect(listing.entries.map((e) => e.path).sort()).toEqual(['src', 'src/docs', 'src/docs/notes.md', 'src/readme.txt']);

    const dest = join(dir, 'out');
    mkdirSync(dest);
    dialogs.extractFolders.push(dest);
    expect(value<string>(await handlers.handle('chooseExtractFolder', { defaultPath: dir }, sender))).toBe(dest);
    expect(value<string[]>(await handlers.handle('findConflicts', { destDir: dest, entries: ['src/readme.txt'] }, sender))).toEqual([]);
    const { jobId } = value<{ jobId: string }>(await handlers.handle('startExtract', { archivePath: archivePath(), destDir: dest, conflict: 'rename' }, sender));
    expect((await sender.ended(jobId)).type).toBe('job-done');
    expect(readFileSync(join(dest, 'src', 'readme.txt'))).toEqual(readFileSync(join(dir, 'src', 'readme.txt')));
    expect(readFileSync(join(dest, 'src', 'docs', 'notes.md'))).toEqual(readFileSync(join(dir, 'src', 'docs', 'notes.md')));
    expect(value<string[]>(await handlers.handle('findConflicts', { destDir: dest, entries: ['src/readme.txt', 'src/docs', '../escape'] }, sender))).toEqual(['src']);
  });

  it('verifies, records the result in the catalog, and saves the report atomically', async () => {
    const { jobId } = value<{ jobId: string }>(await handlers.handle('startVerify', { archivePath: archivePath() }, sender));
    const end = await sender.ended(jobId);
    expect(end.type === 'job-done' && end.outcome.kind === 'verify' && end.outcome.report.ok).toBe(true);
    const recent = value<{ lastVerifyOk: boolean | null; lastVerifiedAt: string | null }[]>(await handlers.handle('recentArchives', {}, sender));
    expect(recent[0]!.lastVerifyOk).toBe(true);
    expect(recent[0]!.lastVerifiedAt).not.toBeNull();

    const reportPath = join(dir, 'report.txt');
    dialogs.reportDestinations.push(reportPath);
    expect(value<string | null>(await handlers.handle('saveVerifyReport', { archivePath: archivePath(), text: 'all intact\n' }, sender))).toBe(reportPath);
    expect(readFileSync(reportPath, 'utf8')).toBe('all intact\n');
    expect(dialogs.asked.at(-1)).toEqual({ dialog: 'report', defaultPath: join(dir, 'src verify report.txt') });
    // Cancelling the dialog writes nothing.
    expect(value<string | null>(await handlers.handle('saveVerifyReport', { archivePath: archivePath(), text: 'x' }, sender))).toBeNull();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('drags entries out: extracts them to a temp folder and starts the drag with those files', async () => {
    const result = await handlers.handle('startDragOut', { archivePath: archivePath(), entries: ['src/docs', 'src/docs/notes.md', 'src/readme.txt'] }, sender);
    expect(result.ok).toBe(true);
    expect(sender.drags).toHaveLength(1);
    const files = sender.drags[0]!;
    expect(files).toHaveLength(2);
    expect(files[0]!.startsWith(join(dir, 'drag-out', 'octozip-drag-'))).toBe(true);
    expect(readFileSync(join(files[0]!, 'notes.md'))).toEqual(readFileSync(join(dir, 'src', 'docs', 'notes.md')));
    expect(readFileSync(files[1]!)).toEqual(readFileSync(join(dir, 'src', 'readme.txt')));
    expect(handlers.dragFolders).toHaveLength(1);
  });

  it('forgets a recent archive and reveals paths through the shell', async () => {
    expect((await handlers.handle('forgetRecent', { archivePath: archivePath() }, sender)).ok).toBe(true);
    expect(value<unknown[]>(await handlers.handle('recentArchives', {}, sender))).toEqual([]);
    expect((await handlers.handle('revealInFolder', { path: archivePath() }, sender)).ok).toBe(true);
    expect(revealed).toEqual([archivePath()]);
  });
});

describe('job control', () => {
  it('cancelling a create leaves no archive and no temp file, and ends with job-cancelled', async () => {
    const big = join(dir, 'big');
    mkdirSync(big);
    handlers.registerDrop([big]);
    // Enough incompressible-ish data (several chunks) that the job is still running when cancel arrives.
    let x = 12345;
    const block = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < block.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      block[i] = x >>> 24;
    }
    for (let i = 0; i < 4; i++) writeFileSync(join(big, `part${i}.bin`), block);
    const sender = new RecordingSender();
    const target = value<string>(await handlers.handle('suggestArchivePath', { inputs: [big] }, sender));
    expect(target).toBe(join(dir, 'big.octz'));
    const { jobId } = value<{ jobId: string }>(await handlers.handle('startCreate', { inputs: [big], archivePath: target, preset: 'fast' }, sender));
    await sender.waitFor((e) => e.type === 'job-progress' && e.jobId === jobId);
    expect(value<{ cancelled: boolean }>(await handlers.handle('cancelJob', { jobId }, sender)).cancelled).toBe(true);
    const end = await sender.ended(jobId);
    expect(end.type).toBe('job-cancelled');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('big.octz') || f.startsWith('.big.octz'))).toEqual([]);
    expect(jobs.size).toBe(0);
    // A job that has ended cannot be cancelled again.
    expect(value<{ cancelled: boolean }>(await handlers.handle('cancelJob', { jobId }, sender)).cancelled).toBe(false);
  });

  it('reports a failed job as job-failed with a user sentence, never a stack', async () => {
    const sender = new RecordingSender();
    handlers.registerDrop([join(dir, 'no-such-file')]);
    dialogs.destinations.push(join(dir, 'x.octz'));
    expect(value<string>(await handlers.handle('chooseArchiveDestination', { defaultPath: join(dir, 'src.octz') }, sender))).toBe(join(dir, 'x.octz'));
    const { jobId } = value<{ jobId: string }>(
      await handlers.handle('startCreate', { inputs: [join(dir, 'no-such-file')], archivePath: join(dir, 'x.octz'), preset: 'fast' }, sender),
    );
    const end = await sender.ended(jobId);
    expect(end.type).toBe('job-failed');
    if (end.type === 'job-failed') {
      expect(end.error.code).toBe('input');
      expect(end.error.message).not.toMatch(/\n\s+at /);
      expect(end.error.nextStep.length).toBeGreaterThan(10);
    }
    expect(existsSync(join(dir, 'x.octz'))).toBe(false);
  });

  it('gives each job its own id and every job exactly one end event', async () => {
    const sender = new RecordingSender();
    const ids = await Promise.all(
      [1, 2, 3].map(async () => value<{ jobId: string }>(await handlers.handle('startVerify', { archivePath: join(dir, 'src.octz') }, sender)).jobId),
    );
    expect(new Set(ids).size).toBe(3);
    await Promise.all(ids.map((id) => sender.ended(id)));
    for (const id of ids) {
      const ends = sender.events.filter((e: AppEvent) => 'jobId' in e && e.jobId === id && e.type !== 'job-progress');
      expect(ends).toHaveLength(1);
    }
  });
});

describe('passwords', () => {
  it('pass from the request to the engine for create, open, extract and verify', async () => {
    const sender = new RecordingSender();
    const archivePath = join(dir, 'src.octz');
    const secret = 'correct horse battery staple';
    dialogs.destinations.push(join(dir, 'secret.octz'));
    await handlers.handle('chooseArchiveDestination', { defaultPath: archivePath }, sender);
    dialogs.extractFolders.push(join(dir, 'pw-out'));
    await handlers.handle('chooseExtractFolder', {}, sender);
    const create = value<{ jobId: string }>(
      await handlers.handle('startCreate', { inputs: [join(dir, 'src')], archivePath: join(dir, 'secret.octz'), preset: 'fast', password: secret }, sender),
    );
    await sender.ended(create.jobId);
    await handlers.handle('openArchive', { archivePath, password: secret }, sender);
    const extract = value<{ jobId: string }>(await handlers.handle('startExtract', { archivePath, destDir: join(dir, 'pw-out'), conflict: 'skip', password: secret }, sender));
    await sender.ended(extract.jobId);
    const verify = value<{ jobId: string }>(await handlers.handle('startVerify', { archivePath, password: secret }, sender));
    await sender.ended(verify.jobId);
    for (const method of ['create', 'list', 'extract', 'verify']) {
      expect(engineCalls.find((c) => c.method === method && (c.params as { password?: string }).password === secret), method).toBeDefined();
    }
  });
});

describe('path helpers', () => {
  it('suggests names beside the first input', () => {
    const taken = new Set(['/home/u/report.octz']);
    expect(suggestArchivePath(['/home/u/report.txt'], (p) => taken.has(p))).toBe('/home/u/report 2.octz');
    expect(suggestArchivePath(['/home/u/a.txt', '/home/u/b.txt'], () => false)).toBe('/home/u/Archive.octz');
    expect(suggestArchivePath(['/home/u/.bashrc'], () => false)).toBe('/home/u/.bashrc.octz');
    expect(suggestArchivePath(['/home/u/photos/'], () => false)).toBe('/home/u/photos.octz');
  });

  it('keeps only the outermost of nested selections', () => {
    expect(outermostEntries(['a/b', 'a', 'c/d', 'c/de', 'a/b/c'])).toEqual(['a', 'c/d', 'c/de']);
  });
});
