// add and delete on real archives: transactional, dedup against what is stored, untouched chunks never
// rewritten (their stored bytes and row ids stay identical), encrypted archives stay encrypted and sealed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToArchive,
  createArchive,
  deleteFromArchive,
  extractArchive,
  listArchive,
  OctozipError,
  verifyArchive,
} from '../../electron/engine/index.ts';

let sandbox: string;

function write(rel: string, text: string | Buffer): void {
  const full = path.join(sandbox, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
}

/** Chunk rows as stored: id, content, seq and a digest of the stored blob. */
function storedChunks(archive: string): Map<number, string> {
  const db = new Database(archive, { readonly: true });
  const rows = db.prepare('SELECT id, content_id, seq, hex(payload) AS p FROM chunk').all() as { id: number; content_id: number; seq: number; p: string }[];
  db.close();
  return new Map(rows.map((r) => [r.id, `${r.content_id}/${r.seq}/${r.p}`]));
}

async function codeOf(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (err) {
    if (err instanceof OctozipError) return err.code;
    throw err;
  }
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

    it('add keeps every stored chunk untouched, dedups against stored content, and round-trips', async () => {
      await createArchive({ archivePath: archive(), inputs: ['base'], cwd: sandbox, preset: 'fast', password, encryptNames: mode === 'encrypted names' });
      const before = storedChunks(archive());
      const summary = await addToArchive({ archivePath: archive(), inputs: ['more'], cwd: sandbox, password });
      expect(summary).toMatchObject({ added: 3, replaced: 0, reusedContents: 1 });
      const after = storedChunks(archive());
      for (const [id, stored] of before) expect(after.get(id), `chunk ${id} was rewritten`).toBe(stored);
      expect(after.size).toBe(before.size + 1); // d.txt only: copy-of-a.txt reuses a.txt's content
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

    it('delete drops entries and content no one uses, keeps the other chunks as they were', async () => {
      const before = storedChunks(archive());
      const summary = await deleteFromArchive({ archivePath: archive(), entries: ['base/sub', 'd.txt'], password });
      expect(summary.deleted).toBe(4);
      expect(summary.freedContents).toBe(3);
      const after = storedChunks(archive());
      for (const [id, stored] of after) expect(before.get(id), `chunk ${id} was rewritten`).toBe(stored);
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

    if (mode === 'encrypted names') {
      it('added names are sealed like the rest', () => {
        expect(fs.readFileSync(archive()).includes(Buffer.from('copy-of-a'))).toBe(false);
      });
    }
  });
}
