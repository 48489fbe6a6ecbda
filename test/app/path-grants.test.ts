// Path grants, for both path flavours whatever OS runs the test: Windows rules are checked with path.win32.
import { describe, expect, it } from 'vitest';
import { PathGrants, PathRefused, windowsPathProblem, type RefusalReason } from '../../electron/app/path-grants.ts';

function refusal(fn: () => unknown): RefusalReason | 'no refusal' {
  try {
    fn();
  } catch (err) {
    if (err instanceof PathRefused) return err.reason;
    throw err;
  }
  return 'no refusal';
}

describe('path grants (POSIX)', () => {
  it('allows only what was granted, for the use it was granted for', () => {
    const g = new PathGrants('linux');
    g.grant('/home/u/photos', 'read-input');
    expect(g.require('/home/u/photos', 'read-input')).toBe('/home/u/photos');
    expect(g.require('/home/u/photos')).toBe('/home/u/photos');
    expect(refusal(() => g.require('/home/u/photos', 'extract-into'))).toBe('not-chosen');
    expect(refusal(() => g.require('/home/u/photos', 'read-archive'))).toBe('not-chosen');
    // Neither a neighbour, nor a parent, nor a child of a chosen folder is chosen.
    for (const other of ['/home/u/photo', '/home/u', '/home/u/photos/2020', '/home/u/.ssh', '/etc/passwd']) {
      expect(refusal(() => g.require(other)), other).toBe('not-chosen');
    }
  });

  it('compares normalized paths but hands back the granted one, never the request', () => {
    const g = new PathGrants('linux');
    g.grant('/home/u/docs/', 'extract-into');
    expect(g.require('/home/u/docs', 'extract-into')).toBe('/home/u/docs');
    // Lexically the same folder; on disk `link/..` could resolve anywhere, so main passes on its own string.
    expect(g.require('/home/u/link/../docs', 'extract-into')).toBe('/home/u/docs');
    expect(refusal(() => g.require('/home/u/docs/../.ssh'))).toBe('not-chosen');
    expect(g.require('/home/u//docs/.', 'extract-into')).toBe('/home/u/docs');
  });

  it('is case-sensitive where file names are', () => {
    const g = new PathGrants('linux');
    g.grant('/home/u/A.octz', 'read-archive');
    expect(refusal(() => g.require('/home/u/a.octz'))).toBe('not-chosen');
  });

  it('refuses relative paths, even when granted', () => {
    const g = new PathGrants('linux');
    expect(refusal(() => g.grant('docs', 'read-input'))).toBe('not-absolute');
    expect(refusal(() => g.require('../../etc/passwd'))).toBe('not-absolute');
  });

  it('grants archive writes only under names that end in .octz', () => {
    const g = new PathGrants('linux');
    expect(refusal(() => g.grant('/home/u/.bashrc', 'create-archive'))).toBe('not-an-archive-name');
    expect(refusal(() => g.grant('/home/u/.config/autostart/x.desktop', 'create-archive', 'replace-archive'))).toBe('not-an-archive-name');
    expect(g.grant('/home/u/Backup.OCTZ', 'create-archive')).toBe('/home/u/Backup.OCTZ');
    expect(g.allows('/home/u/Backup.OCTZ', 'replace-archive')).toBe(false);
  });

  it('lets a dialog start only in a chosen path or the folder of one', () => {
    const g = new PathGrants('linux');
    g.grant('/home/u/work/a.octz', 'read-archive');
    expect(g.dialogStart('/home/u/work')).toBe('/home/u/work');
    expect(g.dialogStart('/home/u/work/a.octz')).toBe('/home/u/work/a.octz');
    expect(g.dialogStart('/home/u')).toBeUndefined();
    expect(g.dialogStart('/etc')).toBeUndefined();
    expect(g.dialogStart(undefined)).toBeUndefined();
  });

  it('says which file it refused by its last name only', () => {
    const g = new PathGrants('linux');
    try {
      g.require('/home/u/.ssh/id_ed25519');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe('Octozip did not use “id_ed25519”: it acts only on files and folders you chose.');
      expect((err as PathRefused).nextStep).toMatch(/dialog|drop/);
    }
  });
});

describe('path grants (Windows rules, checked with path.win32)', () => {
  it('refuses UNC shares in every spelling, granted or not', () => {
    const g = new PathGrants('win32');
    for (const p of ['\\\\host\\share\\a.octz', '\\\\host@SSL\\DavWWWRoot\\a.octz', '\\\\host@80\\x', '//host/share/a.octz', '\\/host\\share', '/\\host/share']) {
      expect(windowsPathProblem(p), p).toBe('network-path');
      expect(refusal(() => g.grant(p, 'read-archive')), p).toBe('network-path');
      expect(refusal(() => g.require(p)), p).toBe('network-path');
      expect(g.allows(p)).toBe(false);
    }
  });

  it('refuses device namespaces, reserved device names and alternate data streams', () => {
    for (const p of [
      '\\\\.\\PhysicalDrive0',
      '\\\\?\\C:\\Users\\u\\a.octz',
      '\\\\?\\UNC\\host\\share\\a.octz',
      '//./pipe/x',
      'C:\\Users\\u\\CON',
      'C:\\Users\\u\\nul.octz',
      'C:\\Users\\u\\Com1.txt',
      'C:\\Users\\u\\LPT9',
      'C:\\Users\\u\\COM¹',
      'C:\\Users\\u\\aux .txt',
      'C:\\Users\\u\\CONIN$',
      'C:\\con\\a.octz',
      'C:\\Users\\u\\a.octz:hidden',
      'C:\\Users\\u\\a.octz::$DATA',
    ]) {
      expect(windowsPathProblem(p), p).toBe('device-path');
    }
    // Names that merely start like a device are ordinary.
    for (const p of ['C:\\Users\\u\\console.txt', 'C:\\Users\\u\\nully.octz', 'C:\\Users\\u\\com10', 'C:\\Users\\u\\CON-notes\\a.octz']) {
      expect(windowsPathProblem(p), p).toBeNull();
    }
  });

  it('refuses drive-relative and root-relative paths', () => {
    for (const p of ['C:foo.octz', '\\Users\\u\\a.octz', 'a.octz', '..\\a.octz']) expect(windowsPathProblem(p), p).toBe('not-absolute');
    expect(windowsPathProblem('C:\\Users\\u\\a.octz')).toBeNull();
    expect(windowsPathProblem('d:/data/a.octz')).toBeNull();
  });

  it('matches chosen paths without regard to case or slash direction, and hands back the granted spelling', () => {
    const g = new PathGrants('win32');
    g.grant('C:\\Users\\U\\Docs', 'extract-into');
    expect(g.require('c:/users/u/docs/', 'extract-into')).toBe('C:\\Users\\U\\Docs');
    expect(g.require('C:\\Users\\U\\Other\\..\\Docs', 'extract-into')).toBe('C:\\Users\\U\\Docs');
    expect(refusal(() => g.require('C:\\Users\\U\\Docs\\..\\AppData\\Roaming'))).toBe('not-chosen');
    expect(refusal(() => g.require('D:\\Users\\U\\Docs'))).toBe('not-chosen');
  });
});
