// Payloads made here (x86-64) decode bit-exactly on an arm64 CPU, emulated by qemu-aarch64: the coder is integer
// WebAssembly, which the specification makes deterministic, and this checks it on a second architecture.
// Needs qemu-aarch64 and Debian's libc6-arm64-cross (qemu-user; .ci/run installs them) and an arm64 Node.js
// (`node scripts/fetch-arm64-node.mjs`). Without them the test fails in CI and skips locally.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { createContextMixingCodec, PRIMED_MIN_BYTES } from '../../electron/engine/codecs/context-mixing.ts';
import { encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { resourcesDir } from '../../electron/engine/model/manifest.ts';
import { ARM64_NODE } from '../../scripts/fetch-arm64-node.mjs';
import { order1Frequencies } from '../coder/fake-network.ts';
import { binarySample, textSample } from './samples.ts';

const SYSROOT = '/usr/aarch64-linux-gnu';

function findQemu(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v qemu-aarch64'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const qemu = findQemu();
const ready = qemu !== null && existsSync(path.join(SYSROOT, 'lib/ld-linux-aarch64.so.1')) && existsSync(ARM64_NODE);
if (!ready && process.env.CI) {
  throw new Error('qemu-aarch64, libc6-arm64-cross or the arm64 Node.js is missing; .ci/run installs them (scripts/fetch-arm64-node.mjs).');
}
const here = path.dirname(fileURLToPath(import.meta.url));

describe.skipIf(!ready)('decode under qemu-aarch64 (arm64)', () => {
  it('decodes primed, cold and network-fed payloads made here to the same bytes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'octozip-arm64-'));
    try {
      // The child runs as one bundled file: the arm64 Node cannot load tsx's native esbuild.
      const child = path.join(dir, 'child.mjs');
      await build({ entryPoints: [path.join(here, 'aarch64-decode-child.ts')], outfile: child, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
      const text = textSample(PRIMED_MIN_BYTES);
      const binary = binarySample(3000, 9);
      const [primed, cold] = await createContextMixingCodec().encodeBatch([text, binary]);
      expect([primed!.payload[2], cold!.payload[2]]).toEqual([1, 0]);
      const cases = [
        { kind: 'cm', raw: text, payload: primed!.payload },
        { kind: 'cm', raw: binary, payload: cold!.payload },
        { kind: 'network', raw: binary, payload: encodeBytes(binary, order1Frequencies, { tableBits: 16 }) },
      ];
      for (const [i, c] of cases.entries()) {
        const payloadPath = path.join(dir, `payload-${i}.bin`);
        const outPath = path.join(dir, `decoded-${i}.bin`);
        writeFileSync(payloadPath, c.payload);
        const run = spawnSync(qemu!, ['-L', SYSROOT, ARM64_NODE, child, c.kind, payloadPath, String(c.raw.length), outPath], {
          encoding: 'utf8',
          timeout: 300_000,
          env: { ...process.env, OCTOZIP_RESOURCES_DIR: resourcesDir() },
        });
        console.log(`qemu-aarch64 ${c.kind} decode of ${c.raw.length} bytes: ${run.stdout.trim()}`);
        expect(run.status, `child failed: ${run.stderr}`).toBe(0);
        expect(Buffer.compare(readFileSync(outPath), c.raw)).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);
});
