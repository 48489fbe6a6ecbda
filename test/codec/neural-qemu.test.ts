// An archive made on this machine (AVX-512 VNNI here) decodes bit-exactly on an AVX2 CPU without VNNI, emulated by
// qemu-user as Haswell: the int8 kernels differ between those CPUs, the integers they produce must not.
// Needs qemu-x86_64 (Debian qemu-user; .ci/run installs it). Without it the test fails in CI and skips locally.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createContextMixingCodec, PRIMED_MIN_BYTES } from '../../electron/engine/codecs/context-mixing.ts';
import type { Codec } from '../../electron/engine/codecs/codec.ts';
import { createNeuralCodec } from '../../electron/engine/codecs/neural.ts';
import { binarySample, textSample } from './samples.ts';

function findQemu(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v qemu-x86_64'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const qemu = findQemu();
if (!qemu && process.env.CI) {
  throw new Error('qemu-x86_64 is not installed; CI must install qemu-user (see .ci/run) to run the AVX2 decode test.');
}
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(!qemu)('decode under qemu (Haswell: AVX2, no VNNI)', () => {
  /** Encodes natively, decodes in the emulated child, and compares. */
  async function decodeEmulated(codec: Codec, codecId: string, chunk: Uint8Array): Promise<void> {
    let payload: Uint8Array;
    try {
      payload = (await codec.encodeBatch([chunk]))[0]!.payload;
    } finally {
      await codec.close?.();
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'octozip-qemu-'));
    try {
      const payloadPath = path.join(dir, 'payload.bin');
      const outPath = path.join(dir, 'decoded.bin');
      writeFileSync(payloadPath, payload);
      const started = performance.now();
      const child = spawnSync(
        qemu!,
        ['-cpu', 'Haswell-noTSX', process.execPath, '--import', 'tsx', 'test/codec/qemu-decode-child.ts', payloadPath, String(chunk.length), outPath, codecId],
        { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 },
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(`qemu ${codecId} decode of ${chunk.length} bytes: ${seconds.toFixed(1)} s wall; child says: ${child.stdout.trim()}`);
      expect(child.status, `child failed: ${child.stderr.split('\n').filter((l) => !l.includes('TCG doesn')).join('\n')}`).toBe(0);
      expect(Buffer.compare(readFileSync(outPath), chunk)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('decodes a natively made neural payload to the same bytes', async () => {
    // Small on purpose: everything, node included, runs emulated (about 1 KB/s).
    const chunk = Buffer.concat([textSample(900), binarySample(300, 5)]);
    await decodeEmulated(await createNeuralCodec({ workers: 0, segmentBytes: 600 }), 'neural', chunk);
  }, 360_000);

  it('decodes a natively made cm payload that starts from the bundled prior to the same bytes', async () => {
    const chunk = textSample(PRIMED_MIN_BYTES);
    await decodeEmulated(createContextMixingCodec(), 'cm', chunk);
  }, 360_000);
});
