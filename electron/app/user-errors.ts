// Turns any failure into what a user reads: what happened and what to do next, in plain sentences.
// The engine's own message is kept when it names the file; stacks never leave this function.
import { ZodError } from 'zod';
import type { HostError, UserError } from '../contract.ts';
import { HostFailure } from './engine-client.ts';

const NEXT_STEP: Record<UserError['code'], string> = {
  'not-an-archive': 'Choose a file that ends in .octz and was made by Octozip.',
  'unsupported-version': 'Update Octozip to the newest version, then open the archive again.',
  damaged: 'Run Verify to see which entries are affected; restore the archive from a backup if you have one.',
  'missing-model': 'Install the Octozip version that made this archive, or one that bundles its model.',
  'unsafe-path': 'The archive may be hostile; extract only entries you trust, or do not extract it at all.',
  'password-required': 'Enter the archive’s password and try again.',
  'wrong-password': 'Check the password (it is case-sensitive) and try again.',
  'limit-exceeded': 'If you trust this archive, extract fewer entries at a time.',
  exists: 'Choose another name, or allow replacing the existing file.',
  input: 'Check that the files still exist and that you can read them, then try again.',
  cancelled: 'Nothing was changed. Start again whenever you like.',
  io: 'Check that the disk has free space and that you may write to the folder, then try again.',
  'invalid-request': 'Try again; if it keeps happening, restart Octozip.',
  internal: 'Try again; if it keeps happening, restart Octozip and report the problem.',
};

const FS_REASONS: Record<string, string> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission was denied',
  EPERM: 'the operation is not permitted',
  ENOSPC: 'the disk is full',
  EROFS: 'the disk is read-only',
  EEXIST: 'a file with that name already exists',
  EISDIR: 'it is a folder',
  ENOTDIR: 'part of the path is not a folder',
};

function sentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') return 'Something went wrong.';
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export function userErrorFromHost(e: HostError): UserError {
  if (e.code === 'internal') {
    return { code: 'internal', message: `Octozip ran into an unexpected problem: ${sentence(e.message)}`, nextStep: NEXT_STEP.internal };
  }
  return { code: e.code, message: sentence(e.message), nextStep: NEXT_STEP[e.code] };
}

/** A request that failed validation or came from the wrong place; `where` names the field, if any. */
export function invalidRequest(where?: string): UserError {
  return {
    code: 'invalid-request',
    message: `The app sent a request Octozip could not accept${where ? ` (${where})` : ''}.`,
    nextStep: NEXT_STEP['invalid-request'],
  };
}

export function toUserError(err: unknown): UserError {
  if (err instanceof HostFailure) return userErrorFromHost(err.hostError);
  if (err instanceof ZodError) {
    const first = err.issues[0];
    return invalidRequest(first && first.path.length > 0 ? first.path.join('.') : undefined);
  }
  const fsCode = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof fsCode === 'string' && /^E[A-Z]+$/.test(fsCode)) {
    const target = (err as NodeJS.ErrnoException).path;
    const reason = FS_REASONS[fsCode] ?? `the system reported ${fsCode}`;
    return { code: 'io', message: `Octozip could not use ${target ?? 'a file'}: ${reason}.`, nextStep: NEXT_STEP.io };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `Octozip ran into an unexpected problem: ${sentence(message)}`, nextStep: NEXT_STEP.internal };
}
