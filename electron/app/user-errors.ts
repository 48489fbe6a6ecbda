// Turns any failure into what a user reads: what happened and what to do next, in plain sentences.
// The engine's own message is kept when it names the file; stacks never leave this function, and neither do
// folders the user never chose (see hidePaths and hideFolders).
import { ZodError } from 'zod';
import type { HostError, UserError } from '../contract.ts';
import { OctozipError } from '../engine/index.ts';
import { HostFailure } from './engine-client.ts';
import { PathRefused } from './path-grants.ts';

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
  'path-refused': 'Choose the file or folder again with a dialog, or drop it on the window.',
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

// An absolute path inside a message (POSIX, drive or UNC), quoted or not; `app://x/y` is a URL, not a path.
const ABSOLUTE_PATH = /(?<![\w:.\\/])(['"]?)((?:[A-Za-z]:[\\/]|[\\/])[^\s'"]*)\1/g;

/** Unexpected messages (an fs error, SQLite) may name any path: keep only the last part, which says which file. */
export function hidePaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (_match, _quote: string, p: string) => {
    const trailing = /[.,;:!?)]+$/.exec(p)?.[0] ?? '';
    const bare = p.slice(0, p.length - trailing.length);
    const name = bare.split(/[\\/]+/).filter((part) => part !== '').at(-1);
    return name === undefined ? `${bare}${trailing}` : `“${name}”${trailing}`;
  });
}

/** A folder of the app's own (drag-out, data, installation) and the words that stand for it in messages. */
export interface HiddenFolder {
  folder: string;
  label: string;
}

/** Replaces each path under one of `folders` with that folder's label: the user never chose those folders. */
export function hideFolders(error: UserError, folders: readonly HiddenFolder[]): UserError {
  let message = error.message;
  for (const { folder, label } of folders) {
    const at = (text: string) => text.indexOf(folder);
    for (let i = at(message); i !== -1; i = at(message)) {
      let end = i + folder.length;
      while (end < message.length && !/[\s'"“”]/.test(message[end]!)) end++;
      // A path ending a sentence keeps its full stop.
      if (/[.,;:]$/.test(message.slice(i, end)) && end > i + folder.length) end--;
      message = message.slice(0, i) + label + message.slice(end);
    }
  }
  return message === error.message ? error : { ...error, message };
}

function unexpected(message: string): UserError {
  return { code: 'internal', message: `Octozip ran into an unexpected problem: ${sentence(hidePaths(message))}`, nextStep: NEXT_STEP.internal };
}

export function userErrorFromHost(e: HostError): UserError {
  if (e.code === 'internal') return unexpected(e.message);
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
  if (err instanceof OctozipError) return userErrorFromHost({ code: err.code, message: err.message });
  if (err instanceof PathRefused) return { code: 'path-refused', message: err.message, nextStep: err.nextStep };
  if (err instanceof ZodError) {
    const first = err.issues[0];
    return invalidRequest(first && first.path.length > 0 ? first.path.join('.') : undefined);
  }
  const fsCode = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof fsCode === 'string' && /^E[A-Z]+$/.test(fsCode)) {
    const target = (err as NodeJS.ErrnoException).path;
    const reason = FS_REASONS[fsCode] ?? `the system reported ${fsCode}`;
    return { code: 'io', message: `Octozip could not use ${target ? hidePaths(target) : 'a file'}: ${reason}.`, nextStep: NEXT_STEP.io };
  }
  return unexpected(err instanceof Error ? err.message : String(err));
}
