// The engine host entry point in its own process (as the app runs it in a utilityProcess): requests, progress,
// cancel, and what main sees when the host dies.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../electron/contract.ts';
import { HostFailure } from '../../electron/app/engine-client.ts';
import { forkEngineHost } from './helpers.ts';

let dir: string;
let host: Awaited<ReturnType<typeof forkEngineHost>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'octozip-host-'));
  host = await forkEngineHost(join(dir, 'catalog.sqlite'));
});
afterAll(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

function pseudoRandom(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('engine host process', () => {
  it('creates and lists an archive, streaming progress to main', async () => {
    writeFileSync(join(dir, 'a.txt'), 'line of text\n'.repeat(5000));
    const progress: Progress[] = [];
    const summary = await host.client.request(
      'create',
      { inputs: [join(dir, 'a.txt')], archivePath: join(dir, 'a.octz'), preset: 'fast' },
      { onProgress: (p) => progress.push(p) },
    );
    expect(summary.rawBytes).toBe(13 * 5000);
    expect(progress.length).toBeGreaterThan(0);
    const listing = await host.client.request('list', { archivePath: join(dir, 'a.octz') });
    expect(listing.entries.map((e) => e.path)).toEqual(['a.txt']);
  });

  it('answers the catalog through the same pipe', async () => {
    await host.client.request('catalogRemember', { archivePath: join(dir, 'a.octz'), sizeBytes: 1, entries: 1, ratio: 1, model: '' });
    expect((await host.client.request('catalogList', {})).map((r) => r.path)).toEqual([join(dir, 'a.octz')]);
  });

  it('keeps engine error codes across the process boundary', async () => {
    const err = await host.client.request('list', { archivePath: join(dir, 'missing.octz') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostFailure);
    expect((err as HostFailure).hostError.code).not.toBe('internal');
  });

  it('cancels a running create by aborting its signal; nothing is left on disk', async () => {
    for (let i = 0; i < 4; i++) writeFileSync(join(dir, `r${i}.bin`), pseudoRandom(4 << 20, i + 1));
    const controller = new AbortController();
    const target = join(dir, 'cancelled.octz');
    const run = host.client.request(
      'create',
      { inputs: [0, 1, 2, 3].map((i) => join(dir, `r${i}.bin`)), archivePath: target, preset: 'fast' },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostFailure);
    expect((err as HostFailure).hostError.code).toBe('cancelled');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('cancelled.octz'))).toEqual([]);
  });

  it('fails pending requests, instead of hanging, when the host dies', async () => {
    const pending = host.client.request('verify', { archivePath: join(dir, 'a.octz') });
    host.child.kill('SIGKILL');
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostFailure);
    expect((err as HostFailure).message).toMatch(/engine stopped unexpectedly/);
    await expect(host.client.request('catalogList', {})).rejects.toBeInstanceOf(HostFailure);
  });
});
