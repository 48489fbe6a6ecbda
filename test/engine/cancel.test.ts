// Cancel leaves nothing behind: no archive, no temp file, sources untouched, an older archive intact.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createArchive, extractArchive, type Progress } from '../../electron/engine/index.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { progressThrottle } from '../../electron/engine/jobs/progress.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { leftoverTempFiles, snapshot, tempDir } from '../helpers/tree.ts';

// Every progress step reaches the listener, so the aborts below land at a known point, not a timer's.
beforeAll(() => void (progressThrottle.minIntervalMs = 0));
afterAll(() => void (progressThrottle.minIntervalMs = 200));

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function scratch() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

function makeSources(root: string): string {
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(src, `f${i}.bin`), crypto.randomBytes(200_000));
  return src;
}

describe('cancel', () => {
  it('mid-create leaves no archive and no temp file, and keeps an older archive as it was', async () => {
    const root = scratch();
    const src = makeSources(root);
    const before = snapshot(src);
    const archivePath = path.join(root, 'a.octz');
    fs.writeFileSync(archivePath, 'older archive');
    const controller = new AbortController();
    const seen: Progress[] = [];
    const job = createArchiveWithSettings(
      {
        archivePath,
        inputs: [src],
        overwrite: true,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.bytesDone > 0) controller.abort();
        },
      },
      // 16 KiB blocks: many blocks, so the abort lands mid-way.
      { ...PRESETS.fast, codecs: ['store'], blockBytes: 16 * 1024 },
    );
    await expect(job).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen.some((p) => p.bytesDone > 0 && p.bytesDone < p.bytesTotal)).toBe(true);
    expect(fs.readFileSync(archivePath, 'utf8')).toBe('older archive');
    expect(fs.readdirSync(root).sort()).toEqual(['a.octz', 'src']);
    expect(snapshot(src)).toEqual(before);
  });

  it('an already-aborted signal does nothing at all', async () => {
    const root = scratch();
    const src = makeSources(root);
    const controller = new AbortController();
    controller.abort();
    await expect(
      createArchive({ archivePath: path.join(root, 'a.octz'), inputs: [src], signal: controller.signal, preset: 'fast' }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(fs.readdirSync(root)).toEqual(['src']);
  });

  it('mid-extract leaves only complete files and no temp file', async () => {
    const root = scratch();
    const src = makeSources(root);
    const archivePath = path.join(root, 'a.octz');
    await createArchiveWithSettings({ archivePath, inputs: [src] }, { ...PRESETS.fast, codecs: ['store'], blockBytes: 16 * 1024 });
    const dest = path.join(root, 'out');
    const controller = new AbortController();
    await expect(
      extractArchive({
        archivePath,
        destDir: dest,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytesDone > 300_000) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(leftoverTempFiles(dest)).toEqual([]);
    const original = snapshot(src);
    const written = snapshot(path.join(dest, 'src'));
    expect(written.size).toBeLessThan(original.size);
    for (const [p, e] of written) expect(e.sha256).toBe(original.get(p)?.sha256);
  });

  it('a temp file left by a crashed process is removed by the next create', async () => {
    const root = scratch();
    const src = makeSources(root);
    const stale = path.join(root, '.a.octz.octozip-tmp-999999999-deadbeef');
    fs.writeFileSync(stale, 'half an archive');
    await createArchiveWithSettings({ archivePath: path.join(root, 'a.octz'), inputs: [src] }, { ...PRESETS.fast, codecs: ['store'] });
    expect(fs.readdirSync(root).sort()).toEqual(['a.octz', 'src']);
  });
});
