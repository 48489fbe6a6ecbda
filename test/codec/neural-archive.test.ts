// The neural codec inside real archives (real SQLite files, the real bundled model, files on disk): round trip
// through create/extract/verify, and an archive whose model this build lacks fails with a message naming it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OctozipError } from '../../electron/engine/errors.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { extractArchive } from '../../electron/engine/jobs/extract.ts';
import { archiveInfo } from '../../electron/engine/jobs/inspect.ts';
import { verifyArchive } from '../../electron/engine/jobs/verify.ts';
import { ModelRegistry } from '../../electron/engine/model/manifest.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { binarySample, textSample } from './samples.ts';

let dir: string;
let archivePath: string;
const files: Record<string, Uint8Array> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'octozip-neural-archive-'));
  const src = path.join(dir, 'src');
  mkdirSync(src);
  files['notes.txt'] = textSample(50_000);
  files['table.bin'] = binarySample(12_000, 9);
  files['tiny.txt'] = Uint8Array.of(0x7a);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(src, name), bytes);
  archivePath = path.join(dir, 'a.octz');
  // Only the neural codec (and store) compete, with small blocks and segments: several blocks, several lanes each.
  const summary = await createArchiveWithSettings(
    { archivePath, inputs: [src] },
    { ...PRESETS.balanced, codecs: ['neural'], blockBytes: 20_000, neuralSegmentBytes: 8192 },
  );
  expect(summary.rawBytesByCodec.neural).toBeGreaterThan(50_000);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('neural blocks in an archive', () => {
  it('records the bundled model and extracts every file exactly', async () => {
    const model = ModelRegistry.open().defaultModel();
    const info = await archiveInfo(archivePath);
    expect(info.codecs).toContain('neural');
    expect(info.models).toEqual([{ name: model.manifest.name, sha256: model.manifest.sha256 }]);
    const out = path.join(dir, 'out');
    await extractArchive({ archivePath, destDir: out });
    for (const [name, bytes] of Object.entries(files)) {
      expect(Buffer.compare(readFileSync(path.join(out, 'src', name)), Buffer.from(bytes)), name).toBe(0);
    }
    const report = await verifyArchive({ archivePath });
    expect(report.ok, JSON.stringify(report)).toBe(true);
  });

  it('fails with missing-model naming the model when this build does not bundle it', async () => {
    const archiveModel = ModelRegistry.open().defaultModel().manifest;
    // A build whose only model is another one.
    const otherBuild = path.join(dir, 'other-resources');
    mkdirSync(otherBuild);
    writeFileSync(path.join(otherBuild, 'model.onnx'), 'not the same weights');
    writeFileSync(
      path.join(otherBuild, 'model.json'),
      JSON.stringify({ ...archiveModel, name: 'octo-mlp-other', sha256: 'e'.repeat(64) }),
    );
    const saved = process.env.OCTOZIP_RESOURCES_DIR;
    process.env.OCTOZIP_RESOURCES_DIR = otherBuild;
    let error: unknown;
    try {
      await extractArchive({ archivePath, destDir: path.join(dir, 'out2') });
    } catch (err) {
      error = err;
    } finally {
      if (saved === undefined) delete process.env.OCTOZIP_RESOURCES_DIR;
      else process.env.OCTOZIP_RESOURCES_DIR = saved;
    }
    expect(error).toBeInstanceOf(OctozipError);
    expect((error as OctozipError).code).toBe('missing-model');
    expect((error as OctozipError).message).toContain(archiveModel.name);
    expect((error as OctozipError).message).toContain(archiveModel.sha256.slice(0, 12));
  });
});
