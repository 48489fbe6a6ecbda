// Failures while writing, as the user should read them: a full disk says so (SQLite reports it as SQLITE_FULL,
// Node as ENOSPC), anything else from the file system or SQLite becomes 'io' naming the file.
import { OctozipError } from '../errors.ts';

export function writeErrorFor(err: unknown, subject: string): unknown {
  if (err instanceof OctozipError) return err;
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new OctozipError('io', `The disk is full while writing ${subject}; nothing was left behind. Free some space and try again.`, {
      subject,
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_') || /^E[A-Z]+$/.test(code)) {
    return new OctozipError('io', `Cannot write ${subject}: ${(err as Error).message}`, { subject, cause: err });
  }
  return err;
}
