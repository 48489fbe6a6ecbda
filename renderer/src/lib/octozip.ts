// The renderer's only door to the rest of the app: window.octozip, with failures turned into exceptions that
// carry the user-facing error.
import type { AppEvent, Channel, Requests, Responses, UserError } from '../../../electron/contract.ts';

export class AppFailure extends Error {
  readonly userError: UserError;
  constructor(userError: UserError) {
    super(userError.message);
    this.name = 'AppFailure';
    this.userError = userError;
  }
}

export async function call<C extends Channel>(channel: C, request: Requests[C]): Promise<Responses[C]> {
  let result;
  try {
    result = await window.octozip.call(channel, request);
  } catch {
    throw new AppFailure({
      code: 'internal',
      message: 'Octozip could not reach its background process.',
      nextStep: 'Restart Octozip; if it keeps happening, report the problem.',
    });
  }
  if (!result.ok) throw new AppFailure(result.error);
  return result.value;
}

export function userErrorOf(err: unknown): UserError {
  if (err instanceof AppFailure) return err.userError;
  return {
    code: 'internal',
    message: 'Octozip ran into an unexpected problem in the window.',
    nextStep: 'Try again; if it keeps happening, restart Octozip and report the problem.',
  };
}

export function onAppEvent(listener: (event: AppEvent) => void): () => void {
  return window.octozip.onEvent(listener);
}

export function pathForFile(file: File): string {
  return window.octozip.pathForFile(file);
}
