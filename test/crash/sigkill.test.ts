// Kills the real CLI with SIGKILL at random points of create, extract, add, delete and compact, many times, then
// checks what a user would find: sources untouched, no partial archive or file at a destination, an edited archive
// either the old one or the new one (never in between), and leftovers either clearly named temp files or SQLite
// journals that the next run removes. The archives are format 2 with several solid blocks (text, code, and an
// already-compressed file that spans two 8 MiB blocks). CRASH_KILLS=N runs more kills per operation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArchive, verifyArchive } from '../../electron/engine/index.ts';
import { openDatabase } from '../../electron/engine/format/database.ts';
import { FORMAT_VERSION } from '../../electron/engine/format/schema.ts';
import { blockRows, readContents } from '../helpers/catalog-surgery.ts';
import { fingerprintTree, killDelays, leftovers, makeSourceBytes, REPO_ROOT, runCli } from './crash-harness.ts';

const KILLS = Number(process.env.CRASH_KILLS ?? 20);
// Each kill spawns the CLI (tsx start-up included); on 2 shared cores that is a few seconds apiece.
const TEST_TIMEOUT_MS = 60_000 + KILLS * 15_000;

let sandbox: string;
let srcFingerprint: Map<string, string>;
let startupMs: number;
let sources: Map<string, Buffer>;

function writeTree(root: string, files: Map<string, Buffer>): void {
  for (const [rel, bytes] of files) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), bytes);
  }
}

/** Incompressible bytes from a seed. */
function noise(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeInt32LE(x | 0, i);
  }
  return out;
}

function walkFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(path.join(root, rel))) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const st = fs.lstatSync(path.join(root, childRel));
    if (st.isDirectory()) out.push(`${childRel}/`, ...walkFiles(root, childRel));
    else out.push(childRel);
  }
  return out;
}

beforeAll(async () => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-crash-'));
  sources = new Map<string, Buffer>();
  // ~10 MB: long enough (a second or more with preset 'fast' here) that kills land inside the real work.
  for (let i = 0; i < 3; i++) sources.set(`src/big-${i}.txt`, makeSourceBytes(800_000 + i * 1000, 11 + i));
  for (let i = 0; i < 60; i++) sources.set(`src/small/f${i}.txt`, makeSourceBytes(500 + i * 37, 100 + i));
  sources.set('src/empty.txt', Buffer.alloc(0));
  for (let i = 0; i < 4; i++) sources.set(`src/code/m${i}.js`, makeSourceBytes(40_000, 200 + i));
  // 'compressed' by its name, so stored as it is (cheap), and over 8 MiB, so it spans two blocks.
  sources.set('src/z-photo.png', noise(9 * 1024 * 1024, 7));
  writeTree(sandbox, sources);
  fs.symlinkSync('big-0.txt', path.join(sandbox, 'src', 'link-to-big'));
  srcFingerprint = fingerprintTree(path.join(sandbox, 'src'));
  startupMs = (await runCli(['--version'], { cwd: sandbox })).ms;
  console.log(`crash test: CLI start-up ${startupMs.toFixed(0)} ms, ${KILLS} kills per operation`);
  const ref = await runCli(['create', 'ref.octz', 'src', '--preset', 'fast'], { cwd: sandbox });
  expect(ref.code, ref.stderr).toBe(0);
  // The shape the kills need: several blocks, and a file whose bytes span two of them.
  const db = openDatabase(path.join(sandbox, 'ref.octz'), { readonly: true });
  try {
    expect(blockRows(db).filter((b) => b.role === 'data').length).toBeGreaterThanOrEqual(4);
    expect(readContents(db).some((c) => new Set(c.slices.map((x) => x.blockId)).size >= 2)).toBe(true);
  } finally {
    db.close();
  }
});

afterAll(() => {
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

async function measure(args: string[]): Promise<number> {
  const run = await runCli(args, { cwd: sandbox });
  expect(run.code, run.stderr).toBe(0);
  return run.ms;
}

describe('SIGKILL during long operations', () => {
  it('create: sources untouched, the archive is absent or complete, temp files cleaned by the next run', async () => {
    const out = path.join(sandbox, 'create-out');
    fs.mkdirSync(out);
    const args = ['create', 'create-out/a.octz', 'src', '--preset', 'fast'];
    const fullMs = await measure(args);
    console.log(`crash test: create takes ${fullMs.toFixed(0)} ms`);
    fs.rmSync(path.join(out, 'a.octz'));
    let killed = 0;
    for (const delay of killDelays(KILLS, startupMs * 0.5, fullMs * 0.95, 1)) {
      const run = await runCli(args, { cwd: sandbox, killAfterMs: delay });
      if (run.signal === 'SIGKILL') killed++;
      expect(fingerprintTree(path.join(sandbox, 'src'))).toEqual(srcFingerprint);
      const archive = path.join(out, 'a.octz');
      if (fs.existsSync(archive)) {
        // It is there only if the rename happened, and then it must be whole.
        const report = await verifyArchive({ archivePath: archive });
        expect(report.ok, `kill at ${delay} ms left a bad archive: ${report.problems.join('; ')}`).toBe(true);
        fs.rmSync(archive);
      }
      for (const name of leftovers(out)) expect(name).toMatch(/^\.a\.octz\.octozip-tmp-\d+-[0-9a-f]+/);
    }
    // Kills that all land after the work is done would prove nothing (run times vary with load: a third).
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(KILLS / 3));
    const final = await runCli(args, { cwd: sandbox });
    expect(final.code, final.stderr).toBe(0);
    expect(leftovers(out)).toEqual([]);
    expect((await verifyArchive({ archivePath: path.join(out, 'a.octz') })).ok).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('extract: every file at its final name is complete and right; the next run finishes and cleans up', async () => {
    const args = ['extract', 'ref.octz', '-o', 'dest', '--conflict', 'overwrite'];
    const fullMs = await measure(args);
    let killed = 0;
    for (const delay of killDelays(KILLS, startupMs * 0.5, fullMs * 0.95, 2)) {
      fs.rmSync(path.join(sandbox, 'dest'), { recursive: true, force: true });
      const run = await runCli(args, { cwd: sandbox, killAfterMs: delay });
      if (run.signal === 'SIGKILL') killed++;
      expect(fingerprintTree(path.join(sandbox, 'src'))).toEqual(srcFingerprint);
      const dest = path.join(sandbox, 'dest');
      if (!fs.existsSync(dest)) continue;
      for (const rel of walkFiles(dest)) {
        if (rel.endsWith('/')) continue;
        if (path.basename(rel).includes('.octozip-tmp-')) continue; // clearly named, removed by the next run
        const full = path.join(dest, rel);
        if (fs.lstatSync(full).isSymbolicLink()) {
          expect(fs.readlinkSync(full)).toBe('big-0.txt');
          continue;
        }
        const want = sources.get(rel);
        expect(want, `unexpected file ${rel} after kill at ${delay} ms`).toBeDefined();
        expect(fs.readFileSync(full).equals(want!), `partial file ${rel} after kill at ${delay} ms`).toBe(true);
      }
    }
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(KILLS / 3));
    // Kill once more mid-way, then let a full run over the same destination finish: no leftovers anywhere.
    fs.rmSync(path.join(sandbox, 'dest'), { recursive: true, force: true });
    await runCli(args, { cwd: sandbox, killAfterMs: Math.round((startupMs + fullMs) / 2) });
    const final = await runCli(args, { cwd: sandbox });
    expect(final.code, final.stderr).toBe(0);
    const files = walkFiles(path.join(sandbox, 'dest'));
    expect(files.filter((f) => f.includes('.octozip-tmp-'))).toEqual([]);
    for (const [rel, bytes] of sources) expect(fs.readFileSync(path.join(sandbox, 'dest', rel)).equals(bytes)).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('add: the archive is the old one or the old one plus the new files, never in between', async () => {
    const extra = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) extra.set(`extra/more-${i}.txt`, makeSourceBytes(600_000, 500 + i));
    writeTree(sandbox, extra);
    const before = (await listArchive(path.join(sandbox, 'ref.octz'), {})).entries.map((e) => e.path).sort();
    const work = path.join(sandbox, 'add-out');
    fs.mkdirSync(work);
    const archive = path.join(work, 'w.octz');
    const args = ['add', 'add-out/w.octz', 'extra', '--preset', 'fast'];
    fs.copyFileSync(path.join(sandbox, 'ref.octz'), archive);
    const fullMs = await measure(args);
    const after = (await listArchive(archive, {})).entries.map((e) => e.path).sort();
    expect(after).toEqual([...before, 'extra', ...extra.keys()].sort());
    let killed = 0;
    let oldSeen = 0;
    for (const delay of killDelays(KILLS, startupMs * 0.5, fullMs * 0.95, 3)) {
      fs.copyFileSync(path.join(sandbox, 'ref.octz'), archive);
      const run = await runCli(args, { cwd: sandbox, killAfterMs: delay });
      if (run.signal === 'SIGKILL') killed++;
      expect(fingerprintTree(path.join(sandbox, 'src'))).toEqual(srcFingerprint);
      const listed = (await listArchive(archive, {})).entries.map((e) => e.path).sort();
      if (listed.length === before.length) oldSeen++;
      expect([before, after], `kill at ${delay} ms left a half-added archive`).toContainEqual(listed);
      const report = await verifyArchive({ archivePath: archive });
      expect(report.ok, `kill at ${delay} ms: ${report.problems.join('; ')}`).toBe(true);
      // A staging archive (and create's own temp inside it) may be left, clearly named. A hot journal was rolled
      // back and removed by the list above; a kill before its header was written leaves an empty one that SQLite
      // ignores (as in the delete test below), which the next edit removes (checked at the end).
      for (const name of leftovers(work)) expect(name).toMatch(/^(\.+w\.octz\.octozip-tmp-\d+-[0-9a-f]+|w\.octz-journal$)/);
    }
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(KILLS / 3));
    expect(oldSeen).toBeGreaterThan(0);
    fs.copyFileSync(path.join(sandbox, 'ref.octz'), archive);
    await runCli(args, { cwd: sandbox, killAfterMs: Math.round((startupMs + fullMs) / 2) });
    const final = await runCli(args, { cwd: sandbox });
    expect(final.code, final.stderr).toBe(0);
    expect(leftovers(work)).toEqual([]);
  }, TEST_TIMEOUT_MS);
  /** Entry paths of an archive, sorted. */
  async function listed(archive: string): Promise<string[]> {
    return (await listArchive(archive, {})).entries.map((e) => e.path).sort();
  }

  it('delete: the archive is the old one or the one without the entries, never in between', async () => {
    const work = path.join(sandbox, 'delete-out');
    fs.mkdirSync(work);
    const archive = path.join(work, 'w.octz');
    // A file with blocks of its own (whole blocks dropped) and text that shares its block (dead bytes stay).
    const args = ['delete', 'delete-out/w.octz', 'src/z-photo.png', 'src/big-1.txt', 'src/small'];
    const before = await listed(path.join(sandbox, 'ref.octz'));
    fs.copyFileSync(path.join(sandbox, 'ref.octz'), archive);
    const fullMs = await measure(args);
    const after = await listed(archive);
    expect(after.length).toBeLessThan(before.length - 60);
    let killed = 0;
    let oldSeen = 0;
    for (const delay of killDelays(KILLS, startupMs * 0.5, fullMs * 0.95, 4)) {
      fs.copyFileSync(path.join(sandbox, 'ref.octz'), archive);
      const run = await runCli(args, { cwd: sandbox, killAfterMs: delay });
      if (run.signal === 'SIGKILL') killed++;
      const now = await listed(archive);
      if (now.length === before.length) oldSeen++;
      expect([before, after], `kill at ${delay} ms left a half-deleted archive`).toContainEqual(now);
      const report = await verifyArchive({ archivePath: archive });
      expect(report.ok, `kill at ${delay} ms: ${report.problems.join('; ')}`).toBe(true);
      // The edit is one SQLite transaction in place. A hot journal is rolled back and removed by the list above;
      // a kill before the journal's header was written leaves an empty one that SQLite ignores (measured: 1 kill
      // in 20), which the next edit removes (checked below).
      for (const name of leftovers(work)) expect(name).toBe('w.octz-journal');
    }
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(KILLS / 3));
    expect(oldSeen).toBeGreaterThan(0);
    fs.copyFileSync(path.join(sandbox, 'ref.octz'), archive);
    fs.writeFileSync(`${archive}-journal`, Buffer.alloc(0)); // what such a kill leaves
    const final = await runCli(args, { cwd: sandbox });
    expect(final.code, final.stderr).toBe(0);
    expect(leftovers(work)).toEqual([]);
    expect(await listed(archive)).toEqual(after);
  }, TEST_TIMEOUT_MS);

  /** Kills `compact` on copies of `start` and checks each result is `start` byte for byte or a whole compacted archive. */
  async function killCompact(start: string, seed: number, kills: number, extraArgs: string[] = []): Promise<void> {
    const work = path.join(sandbox, `compact-out-${seed}`);
    fs.mkdirSync(work);
    const archive = path.join(work, 'w.octz');
    const args = ['compact', path.relative(sandbox, archive), ...extraArgs];
    const original = fs.readFileSync(start);
    const entries = await listed(start);
    fs.copyFileSync(start, archive);
    const fullMs = await measure(args);
    const compacted = fs.readFileSync(archive);
    expect(compacted.equals(original)).toBe(false);
    const db = openDatabase(archive, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(FORMAT_VERSION);
    db.close();
    expect(await listed(archive)).toEqual(entries);
    let killed = 0;
    let oldSeen = 0;
    for (const delay of killDelays(kills, startupMs * 0.5, fullMs * 0.95, seed)) {
      fs.copyFileSync(start, archive);
      const run = await runCli(args, { cwd: sandbox, killAfterMs: delay });
      if (run.signal === 'SIGKILL') killed++;
      const now = fs.readFileSync(archive);
      if (now.equals(original)) oldSeen++;
      else {
        // Not the old file: then it must be a whole compacted archive with the same entries.
        expect(await listed(archive), `kill at ${delay} ms`).toEqual(entries);
        const report = await verifyArchive({ archivePath: archive });
        expect(report.ok, `kill at ${delay} ms left a bad archive: ${report.problems.join('; ')}`).toBe(true);
      }
      for (const name of leftovers(work)) expect(name).toMatch(/^\.w\.octz\.octozip-tmp-\d+-[0-9a-f]+/);
    }
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(kills / 3));
    expect(oldSeen).toBeGreaterThan(0);
    fs.copyFileSync(start, archive);
    await runCli(args, { cwd: sandbox, killAfterMs: Math.round((startupMs + fullMs) / 2) });
    const final = await runCli(args, { cwd: sandbox });
    expect(final.code, final.stderr).toBe(0);
    expect(leftovers(work)).toEqual([]);
  }

  it('compact: the archive is the old file, byte for byte, or the whole compacted one; temp files cleaned by the next run', async () => {
    // An archive with dead bytes: text deleted from a block other text still uses.
    const start = path.join(sandbox, 'with-dead-bytes.octz');
    fs.copyFileSync(path.join(sandbox, 'ref.octz'), start);
    const del = await runCli(['delete', 'with-dead-bytes.octz', 'src/big-1.txt'], { cwd: sandbox });
    expect(del.code, del.stderr).toBe(0);
    await killCompact(start, 5, KILLS);
  }, TEST_TIMEOUT_MS);

  it('compact of a format-1 archive (conversion): the old file or a whole archive of the current format', async () => {
    // The fixture is 'cm'-coded; one thread loads the prior once instead of once per worker (seconds a run here).
    await killCompact(path.join(REPO_ROOT, 'test', 'fixtures', 'v1', 'plain.octz'), 6, Math.ceil(KILLS / 2), ['--threads', '1']);
  }, TEST_TIMEOUT_MS);

  it('compact of a format-2 archive (its catalog rewritten in layout 2): the old file or a whole archive of the current format', async () => {
    await killCompact(path.join(REPO_ROOT, 'test', 'fixtures', 'v2', 'plain.octz'), 7, Math.ceil(KILLS / 2));
  }, TEST_TIMEOUT_MS);
});
