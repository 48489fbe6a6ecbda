// What a call failed with, as the engine's error code: null when it succeeded; anything but an OctozipError is
// rethrown (a crash-like error must fail the test, not pass as "refused").
import { OctozipError } from '../../electron/engine/errors.ts';

export async function codeOf(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (err) {
    if (err instanceof OctozipError) return err.code;
    throw err;
  }
}
