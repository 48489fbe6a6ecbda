// The handlers against a compromised renderer: page script that calls every channel with paths the user never
// chose (other folders, traversal, UNC shares), forged drag-out names and forged "overwrite" flags. Each must be
// refused before anything reaches the disk, the engine or the shell, and must not tell whether the path exists.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result, UserError } from '../../electron/contract.ts';
import type { EngineService } from '../../electron/app/engine-client.ts';
import { createHandlers, type Handlers } from '../../electron/app/handlers.ts';
import { JobRegistry } from '../../electron/app/jobs.ts';
import { PathGrants } from '../../electron/app/path-grants.ts';
import { createArchive } from '../../electron/engine/index.ts';
import { inProcessEngine, RecordingSender, ScriptedDialogs } from './helpers.ts';

let dir: string;
let victim: string;
let closeCatalog: () => void;
const engineCalls: { method: string; params: unknown }[] = [];
let engine: EngineService;

/** Every file and folder under `root`: path -> kind, mode, size, mtime and content hash. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      const hash = st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : '';
      out.set(relative(root, p), `${st.mode} ${st.size} ${st.mtimeMs} ${hash}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

interface Rig {
  handlers: Handlers;
  dialogs: ScriptedDialogs;
  revealed: string[];
  sender: RecordingSender;
  dragRoot: string;
}

let rigs = 0;

function rig(platform: NodeJS.Platform = 'linux'): Rig {
  const dialogs = new ScriptedDialogs();
  const revealed: string[] = [];
  const dragRoot = join(dir, `drag-${++rigs}`);
  const handlers = createHandlers({
    engine,
    dialogs,
    jobs: new JobRegistry(),
    grants: new PathGrants(platform),
    shell: { revealInFolder: (p) => revealed.push(p) },
    dragRoot,
  });
  return { handlers, dialogs, revealed, sender: new RecordingSender(), dragRoot };
}

function refused(result: Result<unknown>, what: string): UserError {
  expect(result.ok, `${what} was not refused`).toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'octozip-hostile-renderer-'));
  // What an attacker wants: secrets to pack up, and a folder whose files run at login.
  victim = join(dir, 'home');
  mkdirSync(join(victim, '.ssh'), { recursive: true });
  mkdirSync(join(victim, '.config', 'autostart'), { recursive: true });
  writeFileSync(join(victim, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n');
  writeFileSync(join(victim, '.bashrc'), 'export PATH=$HOME/bin:$PATH\n');
  // A hostile archive at a path the user never chose, holding a "login item".
  const payload = join(dir, 'payload');
  mkdirSync(payload);
  writeFileSync(join(payload, 'evil.desktop'), '[Desktop Entry]\nExec=evil\n');
  await createArchive({ inputs: [join(payload, 'evil.desktop')], archivePath: join(victim, 'Downloads.octz'), preset: 'fast' });
  // The user's own archive and folder, which the user does choose in each rig.
  mkdirSync(join(dir, 'mine', 'out'), { recursive: true });
  writeFileSync(join(dir, 'mine', 'notes.txt'), 'my notes\n'.repeat(20));
  await createArchive({ inputs: [join(dir, 'mine', 'notes.txt')], archivePath: join(dir, 'mine', 'notes.octz'), preset: 'fast' });

  const { client, catalog } = inProcessEngine(join(dir, 'catalog.sqlite'));
  closeCatalog = () => catalog.close();
  engine = {
    request: (method, params, options) => {
      engineCalls.push({ method, params });
      return client.request(method, params, options);
    },
  };
});

afterAll(() => {
  closeCatalog();
  rmSync(dir, { recursive: true, force: true });
});

/** The user opens their archive and picks their output folder through dialogs, as in the app. */
async function userChoosesOwnFiles(r: Rig): Promise<{ archive: string; out: string }> {
  const archive = join(dir, 'mine', 'notes.octz');
  const out = join(dir, 'mine', 'out');
  r.dialogs.archivesToOpen.push(archive);
  expect(await r.handlers.handle('chooseArchiveToOpen', {}, r.sender)).toEqual({ ok: true, value: archive });
  r.dialogs.extractFolders.push(out);
  expect(await r.handlers.handle('chooseExtractFolder', {}, r.sender)).toEqual({ ok: true, value: out });
  return { archive, out };
}

describe('a compromised renderer cannot act on paths the user did not choose', () => {
  it('every path-taking channel refuses an unchosen path, and nothing reaches the disk, the engine or the shell', async () => {
    const r = rig();
    const { archive, out } = await userChoosesOwnFiles(r);
    const before = snapshot(victim);
    const callsBefore = engineCalls.length;
    const hostile = join(victim, 'Downloads.octz');
    const autostart = join(victim, '.config', 'autostart');
    const secrets = join(victim, '.ssh');
    const attacks: [string, unknown][] = [
      // "Extract this hostile archive into ~/.config/autostart, overwriting."
      ['startExtract', { archivePath: hostile, destDir: autostart, conflict: 'overwrite' }],
      ['startExtract', { archivePath: archive, destDir: autostart, conflict: 'overwrite' }],
      ['startExtract', { archivePath: hostile, destDir: out, conflict: 'overwrite' }],
      // "Pack ~/.ssh into a synced folder."
      ['startCreate', { inputs: [secrets], archivePath: join(out, 'keys.octz'), preset: 'fast' }],
      ['startCreate', { inputs: [secrets], archivePath: join(victim, 'keys.octz'), preset: 'fast', overwrite: true }],
      // An archive path the user chose to open is not one they chose to write.
      ['startCreate', { inputs: [join(dir, 'mine', 'notes.txt')], archivePath: archive, preset: 'fast', overwrite: true }],
      ['startCreate', { inputs: [join(dir, 'mine', 'notes.txt')], archivePath: join(victim, '.bashrc'), preset: 'fast', overwrite: true }],
      ['startVerify', { archivePath: hostile }],
      ['openArchive', { archivePath: hostile }],
      ['findConflicts', { destDir: secrets, entries: ['id_ed25519'] }],
      ['suggestArchivePath', { inputs: [secrets] }],
      ['forgetRecent', { archivePath: hostile }],
      ['saveVerifyReport', { archivePath: hostile, text: 'x' }],
      ['startDragOut', { archivePath: hostile, entries: ['evil.desktop'] }],
      ['revealInFolder', { path: secrets }],
      // Traversal out of chosen places.
      ['openArchive', { archivePath: `${join(dir, 'mine')}/../home/Downloads.octz` }],
      ['startExtract', { archivePath: archive, destDir: `${out}/../../home/.config/autostart`, conflict: 'overwrite' }],
      ['findConflicts', { destDir: `${out}/../../home/.ssh`, entries: ['id_ed25519'] }],
      // Relative paths resolve against main's working directory, which the user never chose either.
      ['openArchive', { archivePath: 'Downloads.octz' }],
      ['startExtract', { archivePath: archive, destDir: '.', conflict: 'overwrite' }],
    ];
    for (const [channel, request] of attacks) {
      const error = refused(await r.handlers.handle(channel, request, r.sender), `${channel} ${JSON.stringify(request)}`);
      expect(error.code, channel).toBe('path-refused');
      expect(error.message).toMatch(/^Octozip did not use “.+”: it acts only on files and folders you chose\.$|is not a full path/);
      expect(error.message, 'no folder of the request is echoed').not.toContain(dir);
    }
    expect(engineCalls.slice(callsBefore)).toEqual([]);
    expect(r.revealed).toEqual([]);
    expect(r.sender.events).toEqual([]);
    expect(r.sender.drags).toEqual([]);
    expect(existsSync(r.dragRoot)).toBe(false);
    expect(snapshot(victim)).toEqual(before);
    expect(r.dialogs.asked).toEqual([{ dialog: 'open' }, { dialog: 'extract' }]);
  });

  it('cannot learn whether an unchosen path exists: each answer is the same for a file that is there and one that is not', async () => {
    const r = rig();
    const { archive, out } = await userChoosesOwnFiles(r);
    const there = join(victim, '.ssh', 'id_ed25519');
    const notThere = join(victim, '.gnupg', 'id_ed25519');
    expect(existsSync(there) && !existsSync(notThere)).toBe(true);
    const probes: ((p: string) => [string, unknown])[] = [
      (p) => ['openArchive', { archivePath: p }],
      (p) => ['startVerify', { archivePath: p }],
      (p) => ['suggestArchivePath', { inputs: [p] }],
      (p) => ['findConflicts', { destDir: p, entries: ['x'] }],
      (p) => ['revealInFolder', { path: p }],
      (p) => ['forgetRecent', { archivePath: p }],
      (p) => ['saveVerifyReport', { archivePath: p, text: '' }],
      (p) => ['startDragOut', { archivePath: p, entries: ['x'] }],
      (p) => ['startExtract', { archivePath: p, destDir: out, conflict: 'skip' }],
      (p) => ['startExtract', { archivePath: archive, destDir: p, conflict: 'skip' }],
      (p) => ['startCreate', { inputs: [p], archivePath: join(out, 'x.octz'), preset: 'fast' }],
      (p) => ['startCreate', { inputs: [join(dir, 'mine', 'notes.txt')], archivePath: `${p}.octz`, preset: 'fast' }],
    ];
    for (const probe of probes) {
      const [channel, atThere] = probe(there);
      const answerThere = await r.handlers.handle(channel, atThere, r.sender);
      const answerNotThere = await r.handlers.handle(channel, probe(notThere)[1], r.sender);
      expect(answerThere.ok, channel).toBe(false);
      expect(answerThere, channel).toEqual(answerNotThere);
    }
    // Dialogs never start in an unchosen folder either (the page could otherwise point one at a share).
    await r.handlers.handle('chooseArchiveDestination', { defaultPath: there }, r.sender);
    await r.handlers.handle('chooseExtractFolder', { defaultPath: join(victim, '.ssh') }, r.sender);
    expect(r.dialogs.asked.slice(2)).toEqual([{ dialog: 'destination', defaultPath: undefined }, { dialog: 'extract' }]);
  });

  it('a forged overwrite flag cannot replace a file the user was not asked about', async () => {
    const r = rig();
    const src = join(dir, 'mine', 'notes.txt');
    r.handlers.registerDrop([src]);
    const suggested = (await r.handlers.handle('suggestArchivePath', { inputs: [src] }, r.sender)) as { ok: true; value: string };
    expect(suggested.value).toBe(join(dir, 'mine', 'notes 2.octz'));
    // Something appears at the suggested name after the suggestion; the page asks to overwrite it.
    writeFileSync(suggested.value, 'not yours to replace');
    const started = (await r.handlers.handle('startCreate', { inputs: [src], archivePath: suggested.value, preset: 'fast', overwrite: true }, r.sender)) as {
      ok: true;
      value: { jobId: string };
    };
    const end = await r.sender.ended(started.value.jobId);
    expect(end.type).toBe('job-failed');
    if (end.type === 'job-failed') expect(end.error.code).toBe('exists');
    expect(readFileSync(suggested.value, 'utf8')).toBe('not yours to replace');
    rmSync(suggested.value);
  });

  it('a name typed without .octz in the save dialog gets it, and replaces nothing without being asked', async () => {
    const r = rig();
    r.dialogs.destinations.push(join(dir, 'mine', 'backup'));
    const defaultPath = join(dir, 'mine', 'notes.octz');
    expect(await r.handlers.handle('chooseArchiveDestination', { defaultPath }, r.sender)).toEqual({ ok: true, value: join(dir, 'mine', 'backup.octz') });
    r.dialogs.destinations.push(join(dir, 'mine', 'confirmed.octz'));
    await r.handlers.handle('chooseArchiveDestination', { defaultPath }, r.sender);
    r.handlers.registerDrop([join(dir, 'mine', 'notes.txt')]);
    // The dialog asked about replacing confirmed.octz itself: that one may be replaced.
    writeFileSync(join(dir, 'mine', 'confirmed.octz'), 'old');
    const started = (await r.handlers.handle(
      'startCreate',
      { inputs: [join(dir, 'mine', 'notes.txt')], archivePath: join(dir, 'mine', 'confirmed.octz'), preset: 'fast', overwrite: true },
      r.sender,
    )) as { ok: true; value: { jobId: string } };
    expect((await r.sender.ended(started.value.jobId)).type).toBe('job-done');
    expect(readFileSync(join(dir, 'mine', 'confirmed.octz')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});

describe('drag-out names come from the archive, not the page', () => {
  it('refuses traversal, absolute and unknown entry names before making any folder', async () => {
    const r = rig();
    const { archive } = await userChoosesOwnFiles(r);
    const callsBefore = engineCalls.length;
    for (const entries of [['../../../home/.bashrc'], ['/etc/passwd'], ['notes.txt/../../x'], ['..\\..\\x'], ['no-such-entry'], ['notes.txt', '../x']]) {
      const error = refused(await r.handlers.handle('startDragOut', { archivePath: archive, entries }, r.sender), JSON.stringify(entries));
      expect(error.code).toBe('input');
    }
    // Each attempt only listed the archive; nothing was extracted and no drag folder was made.
    expect(engineCalls.slice(callsBefore).every((c) => c.method === 'list')).toBe(true);
    expect(existsSync(r.dragRoot)).toBe(false);
    expect(r.sender.drags).toEqual([]);
    // The real entry works.
    expect((await r.handlers.handle('startDragOut', { archivePath: archive, entries: ['notes.txt'] }, r.sender)).ok).toBe(true);
    expect(readFileSync(r.sender.drags[0]![0]!, 'utf8')).toBe('my notes\n'.repeat(20));
  });

  it('sweeps drag folders a crash left behind, and only those', async () => {
    const r = rig();
    mkdirSync(join(r.dragRoot, 'octozip-drag-old1', 'secret'), { recursive: true });
    writeFileSync(join(r.dragRoot, 'octozip-drag-old1', 'secret', 'plain.txt'), 'decrypted');
    mkdirSync(join(r.dragRoot, 'octozip-drag-old2'));
    writeFileSync(join(r.dragRoot, 'keep-me'), '');
    expect(await r.handlers.sweepDragFolders()).toBe(2);
    expect(readdirSync(r.dragRoot)).toEqual(['keep-me']);
  });
});

describe('Windows: UNC and device paths are refused (path.win32 rules)', () => {
  it('refuses a UNC path on every channel, granted by no dialog, drop or catalog, before the engine or the shell sees it', async () => {
    const r = rig('win32');
    const callsBefore = engineCalls.length;
    const unc = '\\\\attacker.example@SSL\\share\\a.octz';
    // Even a "drop" or an OS open of a share grants nothing.
    r.handlers.registerDrop([unc, '\\\\.\\PhysicalDrive0']);
    const attacks: [string, unknown][] = [
      ['openArchive', { archivePath: unc }],
      ['startVerify', { archivePath: unc }],
      ['suggestArchivePath', { inputs: [unc] }],
      ['startExtract', { archivePath: unc, destDir: '\\\\host\\share', conflict: 'skip' }],
      ['startCreate', { inputs: ['\\\\host\\share\\x'], archivePath: '//host/share/x.octz', preset: 'fast' }],
      ['findConflicts', { destDir: '\\\\host\\share', entries: ['x'] }],
      ['forgetRecent', { archivePath: unc }],
      ['saveVerifyReport', { archivePath: unc, text: 'x' }],
      ['startDragOut', { archivePath: unc, entries: ['x'] }],
      ['revealInFolder', { path: '\\\\host\\share' }],
      ['openArchive', { archivePath: 'C:\\Users\\u\\CON' }],
    ];
    for (const [channel, request] of attacks) {
      const error = refused(await r.handlers.handle(channel, request, r.sender), channel);
      expect(error.code, channel).toBe('path-refused');
      expect(error.message, channel).toMatch(/network paths|Windows device/);
    }
    await r.handlers.handle('chooseExtractFolder', { defaultPath: '\\\\host\\share' }, r.sender);
    expect(r.dialogs.asked).toEqual([{ dialog: 'extract' }]);
    expect(engineCalls.slice(callsBefore)).toEqual([]);
    expect(r.revealed).toEqual([]);
  });

  it('a dialog that returns a share is refused with the reason, not granted', async () => {
    const r = rig('win32');
    r.dialogs.archivesToOpen.push('\\\\host\\share\\a.octz');
    const error = refused(await r.handlers.handle('chooseArchiveToOpen', {}, r.sender), 'dialog');
    expect(error.message).toMatch(/network paths/);
    expect(error.nextStep).toMatch(/drive letter/);
  });

  it('drops a UNC path kept in the recent catalog instead of touching it at every launch', async () => {
    const r = rig('win32');
    await engine.request('catalogRemember', { archivePath: '\\\\host\\share\\old.octz', sizeBytes: 1, entries: 1, ratio: 1, model: '' });
    await engine.request('catalogRemember', { archivePath: 'C:\\Users\\u\\kept.octz', sizeBytes: 1, entries: 1, ratio: 1, model: '' });
    const recent = (await r.handlers.handle('recentArchives', {}, r.sender)) as { ok: true; value: { path: string }[] };
    expect(recent.value.map((x) => x.path)).toContain('C:\\Users\\u\\kept.octz');
    expect(recent.value.map((x) => x.path)).not.toContain('\\\\host\\share\\old.octz');
    expect((await engine.request('catalogList', {})).map((x) => x.path)).not.toContain('\\\\host\\share\\old.octz');
    // What the catalog lists is the user's earlier choice: it may be opened again (here it does not exist).
    expect(refused(await r.handlers.handle('openArchive', { archivePath: 'C:\\Users\\u\\kept.octz' }, r.sender), 'kept').code).not.toBe('path-refused');
    await engine.request('catalogForget', { archivePath: 'C:\\Users\\u\\kept.octz' });
  });
});
