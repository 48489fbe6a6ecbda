// Progress: the "ratio so far" a user sees must compare packed bytes with the raw bytes they came from, and the
// bytes done must move while a block codes, never backwards.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../electron/engine/api.ts';
import { extractArchive, verifyArchive } from '../../electron/engine/index.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { progressThrottle } from '../../electron/engine/jobs/progress.ts';
import { PRESETS } from '../../electron/engine/presets.ts';

beforeAll(() => void (progressThrottle.minIntervalMs = 0));
afterAll(() => void (progressThrottle.minIntervalMs = 200));

describe('create progress', () => {
  it('reports packed bytes together with exactly the raw bytes they encode', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-progress-'));
    // Incompressible data: every packed block is about as large as its raw bytes, so a true ratio stays near 1.
    for (let i = 0; i < 6; i++) {
      const bytes = crypto.randomBytes(40_000);
      fs.writeFileSync(path.join(root, `f${i}.bin`), bytes);
    }
    const events: Progress[] = [];
    await createArchiveWithSettings(
      { archivePath: path.join(root, 'a.octz'), inputs: ['.'], cwd: root, onProgress: (p) => events.push(p) },
      { ...PRESETS.fast, blockBytes: 16 * 1024 },
    );
    const withPacked = events.filter((e) => (e.packedBytes ?? 0) > 0);
    expect(withPacked.length).toBeGreaterThan(0);
    for (const e of withPacked) {
      expect(e.packedRawBytes).toBeGreaterThan(0);
      expect(e.packedRawBytes!).toBeLessThanOrEqual(e.bytesDone);
      const ratio = e.packedRawBytes! / e.packedBytes!;
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.1);
    }
    fs.rmSync(root, { recursive: true, force: true });
  });
});

/** Text the context mixer codes (not stored): words from a small vocabulary, deterministic. */
function words(bytes: number, seed: number): Buffer {
  const vocabulary = 'a model predicts each next bit while the coder writes what surprised it into the archive'.split(' ');
  let x = seed;
  let text = '';
  while (text.length < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    text += `${vocabulary[(x >>> 16) % vocabulary.length]}${x % 13 === 0 ? '\n' : ' '}`;
  }
  return Buffer.from(text.slice(0, bytes));
}

describe('progress inside a block', () => {
  // One 1 MiB block takes seconds to code: a bar that only moved when a block finished would sit still, then jump.
  for (const threads of [1, 2]) {
    it(`create, extract and verify report bytes within a block (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-progress-'));
      const bytes = words(1024 * 1024, 7);
      fs.writeFileSync(path.join(root, 'book.txt'), bytes);
      const archivePath = path.join(root, 'a.octz');
      const seen = { create: [] as Progress[], extract: [] as Progress[], verify: [] as Progress[] };
      await createArchiveWithSettings(
        { archivePath, inputs: ['book.txt'], cwd: root, threads, onProgress: (p) => seen.create.push(p) },
        { ...PRESETS.balanced, codecs: ['cm'], blockBytes: 1024 * 1024 },
      );
      await extractArchive({ archivePath, destDir: path.join(root, 'out'), threads, onProgress: (p) => seen.extract.push(p) });
      await verifyArchive({ archivePath, threads, onProgress: (p) => seen.verify.push(p) });
      expect(fs.readFileSync(path.join(root, 'out', 'book.txt'))).toEqual(bytes);
      for (const [job, events] of Object.entries(seen)) {
        const within = events.filter((e) => e.bytesDone > 0 && e.bytesDone < bytes.length);
        expect(within.length, job).toBeGreaterThanOrEqual(2);
        const done = events.map((e) => e.bytesDone);
        expect(done, `${job} never goes backwards`).toEqual([...done].sort((a, b) => a - b));
        expect(done.at(-1), job).toBe(bytes.length);
      }
      fs.rmSync(root, { recursive: true, force: true });
    });
  }
});
