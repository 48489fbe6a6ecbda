// Create's progress: the "ratio so far" a user sees must compare packed bytes with the raw bytes they came from.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../electron/engine/api.ts';
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
