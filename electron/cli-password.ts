// Where the CLI gets a password from, in this order: --password-file FILE, the OCTOZIP_PASSWORD environment
// variable, or a hidden prompt when stdin and stderr are a terminal. Never a command-line argument: those are
// visible to every user of the machine in the process list and land in shell history.
import fs from 'node:fs';
import { OctozipError } from './engine/index.ts';

export interface PasswordOptions {
  passwordFile?: string;
}

/** The password from a file or the environment, or undefined when neither is given. */
export function passwordFromFileOrEnv(options: PasswordOptions): string | undefined {
  if (options.passwordFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(options.passwordFile, 'utf8');
    } catch (err) {
      throw new OctozipError('input', `Cannot read the password file ${options.passwordFile}: ${(err as Error).message}`, {
        subject: options.passwordFile,
        cause: err,
      });
    }
    // One trailing newline is the file's, not the password's (echo pw > file); other whitespace is kept.
    const password = text.replace(/\r?\n$/, '');
    if (password.length === 0) throw new OctozipError('input', `The password file ${options.passwordFile} is empty.`);
    return password;
  }
  const env = process.env.OCTOZIP_PASSWORD;
  return env !== undefined && env.length > 0 ? env : undefined;
}

export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo off before the question shows: an answer typed the moment it appears must not be echoed (seen in
    // a test that answers at once: the second prompt echoed the password when raw mode came after it).
    stdin.setRawMode(true);
    process.stderr.write(question);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new OctozipError('cancelled', 'The operation was cancelled.'));
        if (ch === '\u0004' && value.length === 0) return finish(new OctozipError('cancelled', 'The operation was cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** For create: file/env, else prompt twice on a terminal; a refusal says how to give one without a terminal. */
export async function newArchivePassword(options: PasswordOptions): Promise<string> {
  const given = passwordFromFileOrEnv(options);
  if (given !== undefined) return given;
  if (!canPrompt()) {
    throw new OctozipError('password-required', 'No password given: use --password-file FILE or set OCTOZIP_PASSWORD.');
  }
  const first = await promptHidden('Password for the new archive: ');
  if (first.length === 0) throw new OctozipError('password-required', 'An empty password cannot encrypt an archive.');
  const second = await promptHidden('Repeat the password: ');
  if (first !== second) throw new OctozipError('input', 'The two passwords differ; nothing was written.');
  return first;
}

/**
 * Runs `job` with the password from file/env if any; when the archive turns out to need one and none was
 * given, asks on a terminal and runs it again. Without a terminal the engine's 'password-required' stands,
 * with the ways to give one.
 */
export async function withArchivePassword<T>(options: PasswordOptions, job: (password: string | undefined) => Promise<T>): Promise<T> {
  const given = passwordFromFileOrEnv(options);
  try {
    return await job(given);
  } catch (err) {
    if (!(err instanceof OctozipError) || err.code !== 'password-required' || given !== undefined) throw err;
    if (!canPrompt()) {
      throw new OctozipError('password-required', `${err.message} Use --password-file FILE or set OCTOZIP_PASSWORD.`, {
        subject: err.subject,
      });
    }
    return job(await promptHidden('Archive password: '));
  }
}
