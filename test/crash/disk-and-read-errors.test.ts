// Full disks and failing sources, for real: a 1 MiB tmpfs as the destination (we run as root in CI and here;
// without the right to mount, or without root, those cases skip locally and say why, and fail under CI, which
// must run them), and sources that vanish, shrink or become
// unreadable while an archive is being created. Every case must end in a clear OctozipError and leave nothing
// half-done: no archive or temp file at the destination, no partial file under its final name, sources intact.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateOptions } from '../../electron/engine/index.ts';
import { extractArchive, OctozipError } from '../../electron/engine/index.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { skipOrFailInCi } from '../ci-skip.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { fingerprintTree, makeSourceBytes } from './crash-harness.ts';

let sandbox: string;
let tmpfs: string;
let mounted = false;
let mountProblem = '';

function seededNoise(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function errorOf(run: () => Promise<unknown>): Promise<OctozipError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof OctozipError) return err;
    throw new Error(`expected an OctozipError, got ${String((err as Error)?.stack ?? err)}`, { cause: err });
  }
  throw new Error('expected the operation to fail');
}

/** 'fast' with 256 KiB solid blocks: the 3 MiB file spans twelve blocks, so failures land between blocks of one file. */
function createInSmallBlocks(options: CreateOptions) {
  return createArchiveWithSettings(options, { ...PRESETS.fast, blockBytes: 256 * 1024 });
}

function allNames(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String);
}

beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-errors-'));
  fs.chmodSync(sandbox, 0o777);
  tmpfs = path.join(sandbox, 'small-disk');
  fs.mkdirSync(tmpfs);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', tmpfs], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    mountProblem = `cannot mount a 1 MiB tmpfs here (${String((err as Error).message).split('\n')[0]})`;
  }
  const src = path.join(sandbox, 'src');
  fs.mkdirSync(src);
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(src, `small-${i}.txt`), makeSourceBytes(2000, i + 1));
  // Incompressible, so it cannot fit on the 1 MiB disk in any codec.
  fs.writeFileSync(path.join(src, 'z-big.bin'), seededNoise(3 * 1024 * 1024, 7));
});

afterAll(() => {
  if (mounted) execFileSync('umount', [tmpfs]);
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('create: a clear error, and nothing left on the full disk', async (ctx) => {
    if (!mounted) skipOrFailInCi(ctx, mountProblem);
    const before = fingerprintTree(path.join(sandbox, 'src'));
    const err = await errorOf(() =>
      createInSmallBlocks({ archivePath: path.join(tmpfs, 'a.octz'), inputs: ['src'], cwd: sandbox, preset: 'fast' }),
    );
    expect(err.code).toBe('io');
    expect(err.message).toMatch(/space|full/i);
    expect(allNames(tmpfs)).toEqual([]);
    expect(fingerprintTree(path.join(sandbox, 'src'))).toEqual(before);
  });

  it('extract: a clear error, no partial file under its final name, no temp file', async (ctx) => {
    if (!mounted) skipOrFailInCi(ctx, mountProblem);
    const archivePath = path.join(sandbox, 'ok.octz');
    await createInSmallBlocks({ archivePath, inputs: ['src'], cwd: sandbox, preset: 'fast', overwrite: true });
    const err = await errorOf(() => extractArchive({ archivePath, destDir: path.join(tmpfs, 'out'), conflict: 'overwrite' }));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(/space|full/i);
    const names = allNames(tmpfs);
    expect(names.filter((n) => n.includes('.octozip-tmp-'))).toEqual([]);
    expect(names).not.toContain(path.join('out', 'src', 'z-big.bin'));
    for (const name of names) {
      const full = path.join(tmpfs, name);
      if (!fs.statSync(full).isFile()) continue;
      // Whatever did fit is whole and right.
      expect(fs.readFileSync(full).equals(fs.readFileSync(path.join(sandbox, name.replace(/^out\//, ''))))).toBe(true);
    }
    fs.rmSync(path.join(tmpfs, 'out'), { recursive: true, force: true });
  });
});

describe('sources that fail mid-run', () => {
  /** Creates an archive of a copy of src/, running `sabotage` once the compress phase starts. */
  async function createWhile(sabotage: (src: string) => void, asUid?: number): Promise<{ err: OctozipError; dir: string }> {
    const src = path.join(sandbox, 'victim');
    fs.rmSync(src, { recursive: true, force: true });
    fs.cpSync(path.join(sandbox, 'src'), src, { recursive: true });
    const dir = path.join(sandbox, 'out-victim');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { mode: 0o777 });
    fs.chmodSync(dir, 0o777);
    let done = false;
    if (asUid !== undefined) process.seteuid!(asUid);
    const err = await errorOf(() =>
      createInSmallBlocks({
        archivePath: path.join(dir, 'v.octz'),
        inputs: ['victim'],
        cwd: sandbox,
        preset: 'fast',
        onProgress: (p) => {
          // After the scan, before the big file is read: the window where a real source goes away.
          if (!done && p.phase === 'compress') {
            done = true;
            if (asUid !== undefined) process.seteuid!(0);
            sabotage(src);
            if (asUid !== undefined) process.seteuid!(asUid);
          }
        },
      }),
    ).finally(() => {
      if (asUid !== undefined) process.seteuid!(0);
    });
    expect(done).toBe(true);
    return { err, dir };
  }

  it('a file deleted after the scan', async () => {
    const { err, dir } = await createWhile((src) => fs.rmSync(path.join(src, 'z-big.bin')));
    expect(err.code).toBe('input');
    expect(err.message).toMatch(/z-big\.bin/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a file that shrinks after the scan', async () => {
    const { err, dir } = await createWhile((src) => fs.truncateSync(path.join(src, 'z-big.bin'), 1000));
    expect(err.code).toBe('input');
    expect(err.message).toMatch(/z-big\.bin/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a file that becomes unreadable after the scan (run as an unprivileged user)', async (ctx) => {
    if (typeof process.seteuid !== 'function' || process.getuid?.() !== 0) skipOrFailInCi(ctx, 'needs root to switch to an unprivileged user');
    const { err, dir } = await createWhile((src) => fs.chmodSync(path.join(src, 'z-big.bin'), 0o000), 65534);
    expect(err.code).toBe('input');
    expect(err.message).toMatch(/z-big\.bin/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
