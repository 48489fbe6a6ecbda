import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HostFailure } from '../../electron/app/engine-client.ts';
import { PathRefused } from '../../electron/app/path-grants.ts';
import { hideFolders, hidePaths, toUserError } from '../../electron/app/user-errors.ts';

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

  it('names only the last part of a path in an unexpected or file-system message', () => {
    const sqlite = toUserError(new Error("ENOENT: no such file or directory, open '/home/u/.config/Octozip/catalog.sqlite'"));
    expect(sqlite.message).toBe('Octozip ran into an unexpected problem: ENOENT: no such file or directory, open “catalog.sqlite”.');
    expect(toUserError(new HostFailure({ code: 'internal', message: 'C:\\Users\\u\\AppData\\x.db is locked' })).message).toBe(
      'Octozip ran into an unexpected problem: “x.db” is locked.',
    );
    expect(hidePaths('see app://octozip/index.html, ratio 1/2, \\\\host\\share\\a.octz.')).toBe('see app://octozip/index.html, ratio 1/2, “a.octz”.');
  });

  it('replaces folders of the app’s own with words, and keeps the user’s paths', () => {
    const e = hideFolders(
      { code: 'io', message: 'Extraction failed: ENOSPC, write /data/drag-out/octozip-drag-x1/a/b.txt. Nothing else.', nextStep: 'n' },
      [{ folder: '/data/drag-out', label: 'a temporary drag folder' }],
    );
    expect(e.message).toBe('Extraction failed: ENOSPC, write a temporary drag folder. Nothing else.');
    const mine = { code: 'exists' as const, message: '/home/u/a.octz already exists.', nextStep: 'n' };
    expect(hideFolders(mine, [{ folder: '/data/drag-out', label: 'x' }])).toBe(mine);
  });

  it('turns a refused path into its own code and next step', () => {
    const e = toUserError(new PathRefused('network-path', '\\\\host\\share\\a.octz'));
    expect(e.code).toBe('path-refused');
    expect(e.message).toBe('Octozip does not use network paths (\\\\server\\share), so it did not use “a.octz”.');
    expect(e.nextStep).toMatch(/drive letter/);
    expect(JSON.stringify(e)).not.toContain('user-errors.test');
  });

  it('names the field of an invalid request and the file of a file-system failure', () => {
    const parsed = z.object({ archivePath: z.string() }).safeParse({ archivePath: 1 });
    expect(toUserError(parsed.error).message).toBe('The app sent a request Octozip could not accept (archivePath).');
    const fsError = Object.assign(new Error('EACCES: permission denied, open /root/x'), { code: 'EACCES', path: '/root/x' });
    expect(toUserError(fsError)).toMatchObject({ code: 'io', message: 'Octozip could not use “x”: permission was denied.' });
  });
});
