import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HostFailure } from '../../electron/app/engine-client.ts';
import { toUserError } from '../../electron/app/user-errors.ts';

describe('user-facing errors', () => {
  it('keeps the engine code and message, adds a next step, and ends sentences', () => {
    const e = toUserError(new HostFailure({ code: 'damaged', message: 'chunk 3 of report.txt fails its checksum', subject: 'a.octz' }));
    expect(e).toEqual({
      code: 'damaged',
      message: 'Chunk 3 of report.txt fails its checksum.',
      nextStep: expect.stringMatching(/Verify/),
    });
  });

  it('never shows a stack: unexpected errors become one sentence', () => {
    const err = new TypeError('Cannot read properties of undefined');
    const e = toUserError(err);
    expect(e.code).toBe('internal');
    expect(e.message).toBe('Octozip ran into an unexpected problem: Cannot read properties of undefined.');
    expect(JSON.stringify(e)).not.toContain('user-errors.test');
  });

  it('names the field of an invalid request and the file of a file-system failure', () => {
    const parsed = z.object({ archivePath: z.string() }).safeParse({ archivePath: 1 });
    expect(toUserError(parsed.error).message).toBe('The app sent a request Octozip could not accept (archivePath).');
    const fsError = Object.assign(new Error('EACCES: permission denied, open /root/x'), { code: 'EACCES', path: '/root/x' });
    expect(toUserError(fsError)).toMatchObject({ code: 'io', message: 'Octozip could not use /root/x: permission was denied.' });
  });
});
