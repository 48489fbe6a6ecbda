// Format-2 archives (made by the previous writer, test/fixtures/v2) still list, verify and extract to exactly
// the tree they hold; add and delete keep them format 2 (their catalog stays in layout 1), and compact
// converts them to the current format.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { addToArchive, archiveInfo, compactArchive, deleteFromArchive } from '../../electron/engine/index.ts';
import { FORMAT_VERSION } from '../../electron/engine/format/schema.ts';
import { fixtureCopies } from '../helpers/fixture-copies.ts';
import { expectHoldsTree, readExpected } from '../helpers/fixture-tree.ts';

const FIXTURES = new URL('../fixtures/v2/', import.meta.url);
const EXPECTED = readExpected(new URL('../fixtures/v1/expected.json', import.meta.url));
const PASSWORD = 'fixture-password';
const ARCHIVES = [
  { name: 'plain.octz', password: undefined, namesEncrypted: false },
  { name: 'encrypted-names.octz', password: PASSWORD, namesEncrypted: true },
] as const;

const fixtures = fixtureCopies(FIXTURES, 'octozip-v2-');

function sqlite3(archivePath: string, sql: string): string {
  return execFileSync('sqlite3', [archivePath, sql], { encoding: 'utf8' }).trim();
}

/** The format as the file records it, and the content list's layout byte (plain archives only: sealed otherwise). */
function formatOf(archivePath: string): { userVersion: number; header: number } {
  return { userVersion: Number(sqlite3(archivePath, 'PRAGMA user_version')), header: Number(sqlite3(archivePath, "SELECT value FROM header WHERE key = 'format_version'")) };
}

/** The layout bytes of the entry list and the content list (plain archives only: the lists are sealed otherwise). */
function catalogLayouts(archivePath: string): number[] {
  return ['entries', 'contents'].map((role) => {
    const [codec, hex] = sqlite3(archivePath, `SELECT codec || ' ' || hex(payload) FROM block WHERE role = '${role}'`).split(' ') as [string, string];
    const payload = Buffer.from(hex, 'hex');
    return (codec === 'brotli' ? zlib.brotliDecompressSync(payload) : payload)[0]!;
  });
}

describe('format-2 archives', () => {
  it('the fixtures are format 2, with catalogs in layout 1', () => {
    for (const { name } of ARCHIVES) expect(formatOf(fixtures.copy(name))).toEqual({ userVersion: 2, header: 2 });
    expect(catalogLayouts(fixtures.copy('plain.octz'))).toEqual([1, 1]);
    expect(FORMAT_VERSION).toBeGreaterThan(2);
  });

  for (const { name, password, namesEncrypted } of ARCHIVES) {
    describe(name, () => {
      it('lists, verifies and extracts to exactly expected.json', async () => {
        const archivePath = fixtures.copy(name);
        expect(await archiveInfo(archivePath)).toMatchObject({ formatVersion: 2, encrypted: password !== undefined, namesEncrypted });
        await expectHoldsTree(archivePath, password, EXPECTED, fixtures.scratch('out'));
      });

      it('add and delete keep it format 2, and it still holds exactly its tree', async () => {
        const archivePath = fixtures.copy(name);
        const src = fixtures.scratch('add-src');
        fs.mkdirSync(src);
        const added = 'added to a format-2 archive\n'.repeat(30);
        fs.writeFileSync(path.join(src, 'new.txt'), added);
        fs.utimesSync(path.join(src, 'new.txt'), 1_767_000_000, 1_767_000_000);
        expect(await addToArchive({ archivePath, inputs: ['new.txt'], cwd: src, password })).toMatchObject({ added: 1 });
        expect(formatOf(archivePath)).toEqual({ userVersion: 2, header: 2 });
        if (!namesEncrypted) expect(catalogLayouts(archivePath)).toEqual([1, 1]);
        const withNew = [...EXPECTED, { path: 'new.txt', type: 'file' as const, mode: fs.statSync(path.join(src, 'new.txt')).mode & 0o7777, mtimeMs: 1_767_000_000_000, size: added.length, sha256: sha256(added) }];
        await expectHoldsTree(archivePath, password, withNew, fixtures.scratch('out'));
        expect(await deleteFromArchive({ archivePath, entries: ['new.txt'], password })).toMatchObject({ deleted: 1 });
        expect(formatOf(archivePath)).toEqual({ userVersion: 2, header: 2 });
        await expectHoldsTree(archivePath, password, EXPECTED, fixtures.scratch('out'));
      });

      it('compact converts it to the current format (catalog layout 2), holding the same tree', async () => {
        const archivePath = fixtures.copy(name);
        await compactArchive({ archivePath, password });
        expect(formatOf(archivePath)).toEqual({ userVersion: FORMAT_VERSION, header: FORMAT_VERSION });
        if (!namesEncrypted) expect(catalogLayouts(archivePath)).toEqual([2, 2]);
        expect(await archiveInfo(archivePath)).toMatchObject({ formatVersion: FORMAT_VERSION, namesEncrypted });
        await expectHoldsTree(archivePath, password, EXPECTED, fixtures.scratch('out'));
      });
    });
  }
});

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
