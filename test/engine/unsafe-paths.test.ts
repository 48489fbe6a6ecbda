// Crafted archives whose entries would land outside the destination, or write through a link, are refused
// before anything is written; existing links in the destination are never followed.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extractArchive, verifyArchive } from '../../electron/engine/index.ts';
import { entryPathProblem, linkTargetProblem } from '../../electron/engine/format/entry-path.ts';
import { craftArchive, type CraftedEntry } from '../helpers/craft.ts';
import { tempDir } from '../helpers/tree.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function scratch() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const hostile: [string, CraftedEntry[]][] = [
  ['an absolute path', [{ path: '/tmp/evil', bytes: Buffer.from('x') }]],
  ['a parent segment', [{ path: '../evil', bytes: Buffer.from('x') }]],
  ['a nested parent segment', [{ path: 'a/../../evil', bytes: Buffer.from('x') }]],
  ['a Windows drive path', [{ path: 'C:/evil', bytes: Buffer.from('x') }]],
  ['a backslash', [{ path: '..\\evil', bytes: Buffer.from('x') }]],
  ['an empty segment', [{ path: 'a//b', bytes: Buffer.from('x') }]],
  ['a NUL', [{ path: 'a\0b', bytes: Buffer.from('x') }]],
  ['an empty name', [{ path: '', bytes: Buffer.from('x') }]],
  ['a link to an absolute path', [{ path: 'l', linkTarget: '/etc' }]],
  ['a link climbing out', [{ path: 'd', type: 'directory' }, { path: 'd/l', linkTarget: '../../x' }]],
  ['a link with .. after a name', [{ path: 'l', linkTarget: 'a/../../x' }]],
  ['a file written through an archived link', [{ path: 'l', linkTarget: 'sub' }, { path: 'l/evil', bytes: Buffer.from('x') }]],
  ['a file under an archived file', [{ path: 'f', bytes: Buffer.from('x') }, { path: 'f/g', bytes: Buffer.from('y') }]],
  ['a duplicated path', [{ path: 'same', bytes: Buffer.from('x') }, { path: 'same', bytes: Buffer.from('y') }]],
];

describe('unsafe entries', () => {
  for (const [what, entries] of hostile) {
    it(`refuses an archive with ${what}, writing nothing`, async () => {
      const root = scratch();
      const archivePath = path.join(root, 'evil.octz');
      try {
        craftArchive(archivePath, entries);
      } catch (err) {
        // The schema itself refuses duplicates (UNIQUE path): that is a refusal too.
        expect(what).toBe('a duplicated path');
        expect(String(err)).toMatch(/UNIQUE/);
        return;
      }
      const dest = path.join(root, 'out');
      const err = await extractArchive({ archivePath, destDir: dest }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'unsafe-path' });
      expect((err as Error).message).toMatch(/^Refusing to extract/);
      expect(fs.existsSync(dest) ? fs.readdirSync(dest) : []).toEqual([]);
      expect(fs.readdirSync(root).sort()).toEqual(['evil.octz', ...(fs.existsSync(dest) ? ['out'] : [])].sort());
      const report = await verifyArchive({ archivePath });
      expect(report.ok).toBe(false);
    });
  }

  it('never writes through a link that already exists in the destination', async () => {
    const root = scratch();
    const outside = path.join(root, 'outside');
    fs.mkdirSync(outside);
    const dest = path.join(root, 'out');
    fs.mkdirSync(dest);
    fs.symlinkSync(outside, path.join(dest, 'sub'));
    const archivePath = path.join(root, 'a.octz');
    craftArchive(archivePath, [{ path: 'sub', type: 'directory' }, { path: 'sub/file', bytes: Buffer.from('x') }]);
    await expect(extractArchive({ archivePath, destDir: dest, conflict: 'overwrite' })).rejects.toMatchObject({ code: 'unsafe-path' });
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('an existing file where a link goes is replaced by the link itself, not written through', async () => {
    const root = scratch();
    const dest = path.join(root, 'out');
    fs.mkdirSync(dest);
    const victim = path.join(root, 'victim.txt');
    fs.writeFileSync(victim, 'keep');
    fs.symlinkSync(victim, path.join(dest, 'f'));
    const archivePath = path.join(root, 'a.octz');
    craftArchive(archivePath, [{ path: 'f', bytes: Buffer.from('new') }]);
    await extractArchive({ archivePath, destDir: dest, conflict: 'overwrite' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
    expect(fs.lstatSync(path.join(dest, 'f')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(dest, 'f'), 'utf8')).toBe('new');
  });

  it('knows the names Windows reserves, on Windows only', () => {
    for (const name of ['CON', 'nul.txt', 'a/COM1', 'LPT9.log', 'x/aux', 'trailing.', 'a:b']) {
      expect(entryPathProblem(name, 'win32')).not.toBeNull();
    }
    expect(entryPathProblem('CON', 'linux')).toBeNull();
    expect(entryPathProblem('console.txt', 'win32')).toBeNull();
  });

  it('judges link targets by where the link sits', () => {
    expect(linkTargetProblem('a/b/l', '../../x')).toBeNull();
    expect(linkTargetProblem('a/b/l', '../../../x')).toMatch(/outside/);
    expect(linkTargetProblem('l', './x')).toBeNull();
    expect(linkTargetProblem('l', '.')).toBeNull();
  });
});

describe('names', () => {
  it('extracts names as long as the filesystem allows (temp names stay short enough)', async () => {
    const root = scratch();
    const archivePath = path.join(root, 'a.octz');
    const long = `${'é'.repeat(120)}.txt`; // 244 bytes of UTF-8
    craftArchive(archivePath, [{ path: long, bytes: Buffer.from('long') }]);
    await extractArchive({ archivePath, destDir: path.join(root, 'out') });
    expect(fs.readFileSync(path.join(root, 'out', long), 'utf8')).toBe('long');
    expect(fs.readdirSync(path.join(root, 'out'))).toEqual([long]);
  });
});

describe('conflicts', () => {
  it('skip keeps, overwrite replaces, rename keeps both', async () => {
    const root = scratch();
    const archivePath = path.join(root, 'a.octz');
    craftArchive(archivePath, [{ path: 'note.txt', bytes: Buffer.from('archived') }]);
    const dest = path.join(root, 'out');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(dest, 'note.txt'), 'mine');

    expect(await extractArchive({ archivePath, destDir: dest, conflict: 'skip' })).toMatchObject({ skipped: 1, written: 0 });
    expect(fs.readFileSync(path.join(dest, 'note.txt'), 'utf8')).toBe('mine');

    expect(await extractArchive({ archivePath, destDir: dest, conflict: 'rename' })).toMatchObject({ renamed: 1, written: 1 });
    expect(fs.readFileSync(path.join(dest, 'note (1).txt'), 'utf8')).toBe('archived');
    expect(fs.readFileSync(path.join(dest, 'note.txt'), 'utf8')).toBe('mine');

    expect(await extractArchive({ archivePath, destDir: dest, conflict: 'overwrite' })).toMatchObject({ written: 1 });
    expect(fs.readFileSync(path.join(dest, 'note.txt'), 'utf8')).toBe('archived');
  });

  it('extracts only the selected entries; a folder selects its contents', async () => {
    const root = scratch();
    const archivePath = path.join(root, 'a.octz');
    craftArchive(archivePath, [
      { path: 'd', type: 'directory' },
      { path: 'd/one', bytes: Buffer.from('1') },
      { path: 'd/two', bytes: Buffer.from('2') },
      { path: 'other', bytes: Buffer.from('3') },
    ]);
    const dest = path.join(root, 'out');
    await extractArchive({ archivePath, destDir: dest, entries: ['d'] });
    expect(fs.readdirSync(dest)).toEqual(['d']);
    expect(fs.readdirSync(path.join(dest, 'd')).sort()).toEqual(['one', 'two']);
    await expect(extractArchive({ archivePath, destDir: dest, entries: ['nope'] })).rejects.toMatchObject({ code: 'input' });
  });
});
