// The real `octozip` command stopped by a signal mid-create: closing the terminal (SIGHUP), Ctrl-C (SIGINT) and
// `kill` (SIGTERM) must each cancel cleanly, leaving neither an archive nor its hidden temp file behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, makeSourceBytes, REPO_ROOT } from '../crash/crash-harness.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'octozip.js');
let sandbox: string;

beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-signals-'));
  fs.mkdirSync(path.join(sandbox, 'src'));
  // Enough work that the create is still writing when the signal comes, on a loaded machine too.
  for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(sandbox, 'src', `part${i}.txt`), makeSourceBytes(6 << 20, 11 + i));
});

afterAll(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** Starts a create into `out`, sends `signal` once its temp file exists, and resolves when the process is gone. */
function interruptCreate(signal: NodeJS.Signals, out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  fs.mkdirSync(out);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'create', path.join(out, 'a.octz'), 'src', '--preset', 'balanced'], {
      cwd: sandbox,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      if (leftovers(out).some((n) => n.includes('.octozip-tmp-'))) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 20);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stderr });
    });
  });
}

describe('octozip create, interrupted by a signal', () => {
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: cancels, exits with a one-line message, and leaves nothing in the destination`, async () => {
      const out = path.join(sandbox, `out-${signal}`);
      const run = await interruptCreate(signal, out);
      // Killed by the signal (no handler) would show as signal set and code null.
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n').at(-1)).toMatch(/cancel/i);
      expect(fs.readdirSync(out)).toEqual([]);
    });
  }
});
