// Engine errors are types; the CLI and the app turn them into sentences with a next step.

export type ErrorCode =
  | 'not-an-archive' // the file is not an Octozip archive, or its header is unreadable
  | 'unsupported-version' // written by a newer format version
  | 'damaged' // integrity failure: checksum mismatch, truncated file, SQLite corruption
  | 'missing-model' // a chunk needs a model this build does not bundle
  | 'unsafe-path' // an entry would land outside the destination
  | 'password-required'
  | 'wrong-password'
  | 'limit-exceeded' // an extraction limit (size, entries, ratio) was reached
  | 'exists' // the destination exists and the caller did not allow replacing it
  | 'input' // a source file is missing, unreadable or changed while reading
  | 'cancelled'
  | 'io'; // any other file-system failure (disk full, permissions)

export class OctozipError extends Error {
  readonly code: ErrorCode;
  /** The file or entry the error is about, when there is one. */
  readonly subject?: string;

  constructor(code: ErrorCode, message: string, options?: { subject?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OctozipError';
    this.code = code;
    this.subject = options?.subject;
  }
}

/** Exit status for the CLI: 2 for damage or integrity failure, 1 for anything else. */
export function exitCodeFor(err: unknown): 1 | 2 {
  return err instanceof OctozipError && (err.code === 'damaged' || err.code === 'missing-model') ? 2 : 1;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new OctozipError('cancelled', 'The operation was cancelled.');
}

/**
 * `promise`, or 'cancelled' as soon as the signal aborts, whichever comes first: for work that cannot be stopped
 * (a brotli call on libuv's thread pool), so a cancel is not kept waiting for it. The work's result is dropped.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new OctozipError('cancelled', 'The operation was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
