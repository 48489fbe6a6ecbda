// add and delete on real archives: transactional, dedup against what is stored, untouched data blocks never
// rewritten (their rows and stored bytes stay identical), encrypted archives stay encrypted and sealed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToArchive,
  createArchive,
  deleteFromArchive,
  extractArchive,
  listArchive,
  verifyArchive,
} from '../../electron/engine/index.ts';
import { blocksOfEntry, readableBytes, storedDataBlocks } from '../helpers/blocks.ts';
import { codeOf } from '../helpers/error-code.ts';

let sandbox: string;

function write(rel: string, text: string | Buffer): void {
  const full = path.join(sandbox, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
}


beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-edit-'));
  write('base/a.txt', 'alpha '.repeat(1000));
  write('base/sub/b.txt', 'bravo '.repeat(1000));
  write('base/sub/c.bin', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 0xff)));
  write('more/d.txt', 'delta '.repeat(1000));
  write('more/copy-of-a.txt', 'alpha '.repeat(1000));
});

afterAll(() => {
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

for (const mode of ['plain', 'encrypted', 'encrypted names'] as const) {
  describe(`${mode} archive`, () => {
    const password = mode === 'plain' ? undefined : 'edit pw';
    const archive = () => path.join(sandbox, `${mode.replace(' ', '-')}.octz`);

    it('add keeps every stored block untouched, dedups against stored content, and round-trips', async () => {
      await createArchive({ archivePath: archive(), inputs: ['base'], cwd: sandbox, preset: 'fast', password, encryptNames: mode === 'encrypted names' });
      const before = storedDataBlocks(archive());
      const summary = await addToArchive({ archivePath: archive(), inputs: ['more'], cwd: sandbox, password });
      expect(summary).toMatchObject({ added: 3, replaced: 0, reusedContents: 1 });
      const after = storedDataBlocks(archive());
      for (const [id, stored] of before) expect(after.get(id), `block ${id} was rewritten`).toBe(stored);
      // One new block, for d.txt; copy-of-a.txt reuses a.txt's content.
      expect(after.size).toBe(before.size + 1);
      expect(await blocksOfEntry(archive(), 'more/copy-of-a.txt', password)).toEqual(await blocksOfEntry(archive(), 'base/a.txt', password));
      const listing = await listArchive(archive(), { password });
      expect(listing.entries.map((e) => e.path).sort()).toEqual(
        ['base', 'base/a.txt', 'base/sub', 'base/sub/b.txt', 'base/sub/c.bin', 'more', 'more/copy-of-a.txt', 'more/d.txt'],
      );
      expect((await verifyArchive({ archivePath: archive(), password })).ok).toBe(true);
      const out = path.join(sandbox, `out-add-${mode}`);
      await extractArchive({ archivePath: archive(), destDir: out, password });
      for (const rel of ['base/a.txt', 'base/sub/c.bin', 'more/d.txt', 'more/copy-of-a.txt']) {
        expect(fs.readFileSync(path.join(out, rel)).equals(fs.readFileSync(path.join(sandbox, rel))), rel).toBe(true);
      }
    });

    it('add replaces an entry with the same path', async () => {
      write('more/d.txt', 'DELTA v2 '.repeat(500));
      const summary = await addToArchive({ archivePath: archive(), inputs: ['more/d.txt'], cwd: sandbox, password });
      // Added as 'd.txt' at the top level (a file argument is stored under its own name).
      expect(summary.added).toBe(1);
      write('more/d.txt', 'DELTA v3 '.repeat(500));
      const again = await addToArchive({ archivePath: archive(), inputs: ['more'], cwd: sandbox, password });
      expect(again.replaced).toBe(3);
      const out = path.join(sandbox, `out-replace-${mode}`);
      await extractArchive({ archivePath: archive(), destDir: out, password });
      expect(fs.readFileSync(path.join(out, 'more/d.txt'), 'utf8')).toBe('DELTA v3 '.repeat(500));
      expect((await verifyArchive({ archivePath: archive(), password })).ok).toBe(true);
    });

    it('delete drops entries, and blocks no one uses; keeps the other blocks as they were', async () => {
      const before = storedDataBlocks(archive());
      const [textBlock] = await blocksOfEntry(archive(), 'base/a.txt', password);
      expect(await blocksOfEntry(archive(), 'base/sub/b.txt', password)).toEqual([textBlock]); // one solid block
      const binBlocks = await blocksOfEntry(archive(), 'base/sub/c.bin', password);
      const topBlocks = await blocksOfEntry(archive(), 'd.txt', password);
      const summary = await deleteFromArchive({ archivePath: archive(), entries: ['base/sub', 'd.txt'], password });
      expect(summary.deleted).toBe(4);
      expect(summary.freedContents).toBe(3);
      const after = storedDataBlocks(archive());
      for (const [id, stored] of after) expect(before.get(id), `block ${id} was rewritten`).toBe(stored);
      // c.bin's and d.txt's blocks held nothing else and are gone; a.txt's keeps b.txt's now dead bytes.
      expect([...after.keys()].sort()).toEqual([...before.keys()].filter((id) => ![...binBlocks, ...topBlocks].includes(id)).sort());
      expect(after.has(textBlock!)).toBe(true);
      const listing = await listArchive(archive(), { password });
      expect(listing.entries.map((e) => e.path).sort()).toEqual(['base', 'base/a.txt', 'more', 'more/copy-of-a.txt', 'more/d.txt']);
      expect((await verifyArchive({ archivePath: archive(), password })).ok).toBe(true);
      // a.txt's content is still used by copy-of-a.txt after deleting a.txt.
      await deleteFromArchive({ archivePath: archive(), entries: ['base/a.txt'], password });
      const out = path.join(sandbox, `out-delete-${mode}`);
      await extractArchive({ archivePath: archive(), destDir: out, password });
      expect(fs.readFileSync(path.join(out, 'more/copy-of-a.txt'), 'utf8')).toBe('alpha '.repeat(1000));
    });

    it('refuses what would break the archive, changing nothing', async () => {
      const bytes = fs.readFileSync(archive());
      expect(await codeOf(() => deleteFromArchive({ archivePath: archive(), entries: ['no/such/entry'], password }))).toBe('input');
      write('clash/more', 'a file where the archive has a folder');
      expect(await codeOf(() => addToArchive({ archivePath: archive(), inputs: ['clash/more'], cwd: sandbox, password }))).toBe('exists');
      if (password) {
        expect(await codeOf(() => addToArchive({ archivePath: archive(), inputs: ['base'], cwd: sandbox, password: 'wrong' }))).toBe('wrong-password');
        expect(await codeOf(() => deleteFromArchive({ archivePath: archive(), entries: ['more'] }))).toBe('password-required');
      }
      expect(fs.readFileSync(archive()).equals(bytes)).toBe(true);
      expect(fs.readdirSync(sandbox).filter((n) => n.includes('octozip-tmp') || n.endsWith('-journal'))).toEqual([]);
    });

    if (mode !== 'plain') {
      it('added names are sealed like the rest (and visible names stay readable)', () => {
        expect(readableBytes(archive()).includes(Buffer.from('copy-of-a'))).toBe(mode === 'encrypted');
      });
    }
  });
}
