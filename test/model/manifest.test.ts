// The model registry: archives name models by SHA-256; a build refuses weights that do not match their manifest
// and says which model it lacks.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OctozipError } from '../../electron/engine/errors.ts';
import { ModelRegistry, resourcesDir, sha256OfFile } from '../../electron/engine/model/manifest.ts';
import { NetworkSession } from '../../electron/engine/model/network-session.ts';

const temps: string[] = [];
function copyOfResources(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'octozip-model-'));
  temps.push(dir);
  const source = resourcesDir();
  for (const f of ['model.json', 'model.onnx']) copyFileSync(path.join(source, f), path.join(dir, f));
  return dir;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('model registry', () => {
  it('finds the bundled model, whose file matches its manifest', async () => {
    const registry = ModelRegistry.open();
    const model = registry.defaultModel();
    expect(await sha256OfFile(model.onnxPath)).toBe(model.manifest.sha256);
    await expect(model.verify()).resolves.toBeUndefined();
    expect(registry.require({ name: 'whatever it was called', sha256: model.manifest.sha256 })).toBe(model);
  });

  it('honours OCTOZIP_RESOURCES_DIR', () => {
    const dir = copyOfResources();
    const saved = process.env.OCTOZIP_RESOURCES_DIR;
    process.env.OCTOZIP_RESOURCES_DIR = dir;
    try {
      expect(resourcesDir()).toBe(dir);
      expect(ModelRegistry.open().defaultModel().onnxPath).toBe(path.join(dir, 'model.onnx'));
    } finally {
      if (saved === undefined) delete process.env.OCTOZIP_RESOURCES_DIR;
      else process.env.OCTOZIP_RESOURCES_DIR = saved;
    }
  });

  it('fails with missing-model naming the model an archive needs when this build lacks it', () => {
    const registry = ModelRegistry.open();
    const ref = { name: 'octo-mlp-v9', sha256: 'ab'.repeat(32) };
    let error: unknown;
    try {
      registry.require(ref);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OctozipError);
    expect((error as OctozipError).code).toBe('missing-model');
    expect((error as OctozipError).message).toContain('octo-mlp-v9');
    expect((error as OctozipError).message).toContain('ab'.repeat(32));
    expect((error as OctozipError).message).toContain('does not include');
  });

  it('refuses to open a model file that does not match its manifest', async () => {
    const dir = copyOfResources();
    const onnx = path.join(dir, 'model.onnx');
    const bytes = readFileSync(onnx);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(onnx, bytes);
    const model = ModelRegistry.open(dir).defaultModel();
    await expect(NetworkSession.open(model)).rejects.toMatchObject({ code: 'missing-model', message: expect.stringContaining('does not match') });
  });

  it('rejects an invalid manifest with a sentence saying what is wrong', () => {
    const dir = copyOfResources();
    const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    manifest.probTable = [5, 0, 7];
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(manifest));
    expect(() => ModelRegistry.open(dir)).toThrow(/probTable/);
  });

  it('says there is no model when the resources folder is empty', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'octozip-empty-'));
    temps.push(dir);
    expect(() => ModelRegistry.open(dir).defaultModel()).toThrow(OctozipError);
  });
});
