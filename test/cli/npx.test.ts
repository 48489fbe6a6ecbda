// `npx octozip` must print what the CLI prints and nothing else: no npm warning about the project's config.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('npx octozip', () => {
  it('prints the version and nothing on stderr', () => {
    const run = spawnSync('npx', ['--no-install', 'octozip', '--version'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    expect(run.status).toBe(0);
  });

  it("keeps onnxruntime-node's install script (a CUDA download) from ever running", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
  });
});
