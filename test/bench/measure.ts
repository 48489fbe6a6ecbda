// What every benchmark here measures a command with, and the machine line its report opens with.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Measured {
  wall: number;
  cpu: number;
  rssKiB: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time (GNU time: apt install time), returning wall and CPU seconds and peak RSS. */
export function timed(command: string, commandArgs: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Measured {
  const timeDir = mkdtempSync(path.join(os.tmpdir(), 'octozip-time-'));
  const timeFile = path.join(timeDir, 'time.txt');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, command, ...commandArgs], {
      cwd,
      env,
      encoding: 'buffer',
      maxBuffer: 1 << 30,
    });
    if (r.error) throw new Error(`${command} did not start: ${r.error.message} (is GNU time installed? apt install time)`);
    if (r.status !== 0) {
      throw new Error(`${command} ${commandArgs.join(' ')} failed (${r.status}): ${r.stderr.toString().slice(-2000)}`);
    }
    // GNU time writes "Command exited with non-zero status" lines before its own; the figures are the last line.
    const [wall, user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { wall: wall!, cpu: user! + sys!, rssKiB: rss!, stdout: r.stdout.toString() };
  } finally {
    rmSync(timeDir, { recursive: true, force: true });
  }
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function modelLine(): string {
  let line: string;
  try {
    const m = JSON.parse(readFileSync(path.join(repoRoot, 'resources/model.json'), 'utf8'));
    line = `${m.name} (sha256 ${String(m.sha256).slice(0, 12)}..., ${m.parameters} parameters)`;
  } catch {
    line = 'no model bundled';
  }
  try {
    const p = JSON.parse(readFileSync(path.join(repoRoot, 'resources/prior.json'), 'utf8'));
    line += `; prior ${p.name} (from ${p.text.bytes} bytes of text)`;
  } catch {
    line += '; no prior';
  }
  return line;
}

/** "2026-12-02 06:30 UTC" */
export function nowUtc(): string {
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Where the benchmark corpora live: ../shared/corpus beside the checkout (as in CI), or the folder above
 * OCTOZIP_CORPUS_DIR (which names its canterbury/ folder, as test/helpers/corpus.ts reads it). */
export function corpusRoot(): string {
  const canterbury = process.env.OCTOZIP_CORPUS_DIR;
  return canterbury ? path.dirname(path.resolve(canterbury)) : path.resolve(repoRoot, '../shared/corpus');
}
