// Format-1 archives (made by the old writer, test/fixtures/v1) still list, verify and extract to exactly the tree
// they hold; add and delete refuse them and point at compact, which converts them to the current format.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  addToArchive,
  archiveInfo,
  compactArchive,
  deleteFromArchive,
  extractArchive,
  listArchive,
  verifyArchive,
} from '../../electron/engine/index.ts';
import { fixtureCopies } from '../helpers/fixture-copies.ts';
import { codeOf } from '../helpers/error-code.ts';
import { FORMAT_VERSION } from '../../electron/engine/format/schema.ts';
import { expectHoldsTree, readExpected } from '../helpers/fixture-tree.ts';

const FIXTURES = new URL('../fixtures/v1/', import.meta.url);
const EXPECTED = readExpected(new URL('expected.json', FIXTURES));
const PASSWORD = 'fixture-password';
const ARCHIVES = [
  { name: 'plain.octz', password: undefined, namesEncrypted: false },
  { name: 'encrypted-names.octz', password: PASSWORD, namesEncrypted: true },
] as const;

const fixtures = fixtureCopies(FIXTURES, 'octozip-v1-');
const copyOfFixture = fixtures.copy;
const expectHoldsFixtureTree = (archivePath: string, password: string | undefined) => expectHoldsTree(archivePath, password, EXPECTED, fixtures.scratch('out'));

describe('format-1 archives', () => {
  it('the fixtures are format 1 and hold the tree of expected.json', async () => {
    expect(EXPECTED.length).toBeGreaterThan(5);
    expect(EXPECTED.some((e) => e.type === 'symlink')).toBe(true);
    for (const { name } of ARCHIVES) {
      const info = await archiveInfo(copyOfFixture(name));
      expect(info.formatVersion).toBe(1);
    }
    const tables = execFileSync('sqlite3', [fileURLToPath(new URL('plain.octz', FIXTURES)), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"], { encoding: 'utf8' });
    expect(tables.trim().split('\n')).toEqual(['chunk', 'content', 'entry', 'header']);
  });

  for (const { name, password, namesEncrypted } of ARCHIVES) {
    describe(name, () => {
      it('lists, verifies and extracts to exactly expected.json (paths, types, modes, times, sizes, SHA-256, links)', async () => {
        const archivePath = copyOfFixture(name);
        const info = await archiveInfo(archivePath);
        expect(info).toMatchObject({ encrypted: password !== undefined, namesEncrypted });
        if (namesEncrypted) expect(await codeOf(() => listArchive(archivePath))).toBe('password-required');
        await expectHoldsFixtureTree(archivePath, password);
        // Format 1 kept a SHA-256 per file, and the listing shows it when it can be read.
        const listing = await listArchive(archivePath, { password });
        for (const e of EXPECTED.filter((x) => x.type === 'file')) {
          expect(listing.entries.find((l) => l.path === e.path)?.sha256, e.path).toBe(e.sha256);
        }
      });

      it('add and delete refuse it with unsupported-version, naming compact, and change nothing', async () => {
        const archivePath = copyOfFixture(name);
        const before = fs.readFileSync(archivePath);
        const src = fixtures.scratch('add-src');
        fs.mkdirSync(src);
        fs.writeFileSync(path.join(src, 'new.txt'), 'new');
        const add = await addToArchive({ archivePath, inputs: ['new.txt'], cwd: src, password }).catch((e: unknown) => e);
        expect(add).toMatchObject({ code: 'unsupported-version' });
        expect((add as Error).message).toMatch(/compact/);
        expect(await codeOf(() => deleteFromArchive({ archivePath, entries: [EXPECTED.at(-1)!.path], password }))).toBe('unsupported-version');
        expect(fs.readFileSync(archivePath).equals(before)).toBe(true);
        expect(fs.readdirSync(fixtures.dir()).filter((n) => n.includes('octozip-tmp') || n.endsWith('-journal'))).toEqual([]);
      });

      it('compact converts it to the current format holding the same tree, encrypted the same way; then add works, code included', async () => {
        const archivePath = copyOfFixture(name);
        await compactArchive({ archivePath, password });
        const info = await archiveInfo(archivePath);
        expect(info).toMatchObject({ formatVersion: FORMAT_VERSION, encrypted: password !== undefined, namesEncrypted });
        expect(execFileSync('sqlite3', [archivePath, 'PRAGMA user_version'], { encoding: 'utf8' }).trim()).toBe(String(FORMAT_VERSION));
        if (namesEncrypted) expect(await codeOf(() => listArchive(archivePath))).toBe('password-required');
        await expectHoldsFixtureTree(archivePath, password);
        const src = fixtures.scratch('add-src');
        fs.mkdirSync(src);
        fs.writeFileSync(path.join(src, 'new.txt'), 'added after compact');
        expect(await addToArchive({ archivePath, inputs: ['new.txt'], cwd: src, password })).toMatchObject({ added: 1 });
        // The header names only the English prior (format 1 had no others): a code file added now is coded with it,
        // not with the code prior, which the header could not name.
        const cmSettings = async () => ({ ...((await archiveInfo(archivePath, { password })).codecParams.cm as object), payloadVersion: undefined });
        const cmBlocks = () => Number(execFileSync('sqlite3', [archivePath, "SELECT count(*) FROM block WHERE role = 'data' AND codec = 'cm'"], { encoding: 'utf8' }));
        const cmBlocksBefore = cmBlocks();
        const before = await cmSettings();
        expect(before).toMatchObject({ prior: { name: 'octo-prior-en-4537ee18' } });
        expect(before).not.toHaveProperty('priors');
        const code = Array.from({ length: 60 }, (_, i) => `int added_${i}(int x) { return x * ${i} + ${i % 7}; }\n`).join('');
        fs.writeFileSync(path.join(src, 'added.c'), code);
        expect(await addToArchive({ archivePath, inputs: ['added.c'], cwd: src, password })).toMatchObject({ added: 1 });
        expect(await cmSettings()).toEqual(before);
        // The new block is cm's: the case where the prior's index matters.
        expect(cmBlocks()).toBe(cmBlocksBefore + 1);
        const out = fixtures.scratch('out-added');
        await extractArchive({ archivePath, destDir: out, password });
        expect(fs.readFileSync(path.join(out, 'added.c'), 'utf8')).toBe(code);
        expect((await verifyArchive({ archivePath, password })).ok).toBe(true);
      });
    });
  }
});
