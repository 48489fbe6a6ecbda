// The CLI's password sources for real: --password-file, OCTOZIP_PASSWORD, and the hidden prompt on a terminal
// (a real pseudo-terminal from util-linux `script`), plus the one-line refusal when there is no way to ask.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipOrFailInCi } from '../ci-skip.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'octozip.js');
let sandbox: string;

function octozip(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: sandbox, env: { ...process.env, OCTOZIP_PASSWORD: '', ...env }, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs the CLI on a pseudo-terminal, typing `answers` each time a prompt ending in ': ' appears. */
function onTerminal(args: string[], answers: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: sandbox, env: { ...process.env, OCTOZIP_PASSWORD: '' } });
    let output = '';
    let prompts = 0;
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const seen = output.split(/password[^:]*: /i).length - 1;
      while (prompts < seen && prompts < answers.length) child.stdin.write(`${answers[prompts++]}\r`);
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

const hasScript = spawnSync('script', ['--version']).status === 0;

beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-clipw-'));
  fs.mkdirSync(path.join(sandbox, 'src'));
  fs.writeFileSync(path.join(sandbox, 'src', 'secret-name.txt'), 'secret content\n'.repeat(100));
  fs.writeFileSync(path.join(sandbox, 'pw.txt'), 'file password\n');
});

afterAll(() => {
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

describe('octozip password sources', () => {
  it('--password-file (one trailing newline dropped) and OCTOZIP_PASSWORD open the same archive', () => {
    expect(octozip(['create', '--preset', 'fast', '--encrypt-names', '--password-file', 'pw.txt', 'a.octz', 'src']).code).toBe(0);
    expect(fs.readFileSync(path.join(sandbox, 'a.octz')).includes(Buffer.from('secret-name'))).toBe(false);
    const listed = octozip(['list', 'a.octz'], { OCTOZIP_PASSWORD: 'file password' });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/src\/secret-name\.txt/);
    expect(octozip(['extract', 'a.octz', '-o', 'out', '--password-file', 'pw.txt']).code).toBe(0);
    expect(fs.readFileSync(path.join(sandbox, 'out/src/secret-name.txt'), 'utf8')).toBe('secret content\n'.repeat(100));
  });

  it('without a terminal and without a password: one line saying how to give one, exit 1', () => {
    const run = octozip(['list', 'a.octz']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--password-file/);
    expect(run.stderr).toMatch(/OCTOZIP_PASSWORD/);
    const wrong = octozip(['extract', 'a.octz', '-o', 'never'], { OCTOZIP_PASSWORD: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/password is wrong/);
    expect(fs.existsSync(path.join(sandbox, 'never'))).toBe(false);
  });

  it('on a terminal: asks twice on create, once on open, and never echoes the password', async (ctx) => {
    if (!hasScript) skipOrFailInCi(ctx, 'util-linux script is not installed');
    const created = await onTerminal(['create', '--preset', 'fast', '--encrypt', 'b.octz', 'src'], ['typed secret', 'typed secret']);
    expect(created.code, created.output).toBe(0);
    expect(created.output).not.toMatch(/typed secret/);
    const listed = await onTerminal(['list', 'b.octz'], ['typed secret']);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toMatch(/secret-name\.txt/);
    const mismatch = await onTerminal(['create', '--preset', 'fast', '--encrypt', 'c.octz', 'src'], ['one', 'two']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.output).toMatch(/passwords differ/);
    expect(fs.existsSync(path.join(sandbox, 'c.octz'))).toBe(false);
  });
});
