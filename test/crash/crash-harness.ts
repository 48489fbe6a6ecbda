// Spawns the real CLI and kills it with SIGKILL after a chosen delay: no cleanup handler can run, which is
// what a crash, an OOM kill or a power cut looks like to the files it was writing.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'octozip.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `octozip ...args`; with killAfterMs, sends SIGKILL that long after the spawn (if still running). */
export function runCli(args: string[], options: { cwd: string; killAfterMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer =
      options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Deterministic mixed content: text-like runs (compressible, so the codec does real work) and random blocks. */
export function makeSourceBytes(size: number, seed: number): Buffer {
  const words = ['archive', 'octozip', 'chunk', 'model', 'byte', 'entropy', 'range', 'coder', 'lossless', 'tree'];
  const out = Buffer.alloc(size);
  let x = seed | 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  let i = 0;
  while (i < size) {
    if (next() % 16 === 0) {
      const end = Math.min(size, i + 256);
      for (; i < end; i++) out[i] = next() & 0xff;
    } else {
      const w = Buffer.from(`${words[next() % words.length]}${next() % 7 === 0 ? '\n' : ' '}`);
      i += w.copy(out, i);
    }
  }
  return out;
}

/** Path -> sha256 and mtime of every file under root (symlinks not followed), to prove sources untouched. */
export function fingerprintTree(root: string): Map<string, string> {
  const map = new Map<string, string>();
  const visit = (rel: string) => {
    const full = path.join(root, rel);
    const st = fs.lstatSync(full);
    if (st.isDirectory()) {
      map.set(`${rel}/`, `dir ${st.mode}`);
      for (const name of fs.readdirSync(full).sort()) visit(rel === '' ? name : path.join(rel, name));
    } else if (st.isSymbolicLink()) {
      map.set(rel, `link ${fs.readlinkSync(full)}`);
    } else {
      map.set(rel, `file ${st.mode} ${st.mtimeMs} ${crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`);
    }
  };
  visit('');
  return map;
}

/** Names in dir that look like an interrupted write: our temp files and SQLite journals. */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes('.octozip-tmp-') || n.endsWith('-journal') || n.endsWith('-wal'));
}

/** Deterministic delay sequence in [lo, hi) so a failing kill point can be replayed. */
export function killDelays(count: number, lo: number, hi: number, seed: number): number[] {
  let x = seed | 1;
  const delays: number[] = [];
  for (let k = 0; k < count; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    delays.push(Math.round(lo + ((x >>> 0) / 2 ** 32) * (hi - lo)));
  }
  return delays;
}
