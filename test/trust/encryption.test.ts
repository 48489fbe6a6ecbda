// Encrypted archives end to end on the real engine and real SQLite files: round trips, nothing readable in the
// file, wrong or missing passwords refused before anything is written, and tampering of every kind detected.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveInfo, createArchive, extractArchive, listArchive, OctozipError, verifyArchive } from '../../electron/engine/index.ts';
import { crc32 } from '../../electron/engine/format/checksum.ts';

const PASSWORD = 'tr0ub4dor & 3';
const SECRET_NAME = 'PLANS-FOR-WORLD-DOMINATION';
const SECRET_TEXT = 'THE-EAGLE-LANDS-AT-MIDNIGHT';

let sandbox: string;
let src: string;
let hidden: string; // names encrypted
let visible: string; // names in the clear, content encrypted
const files = new Map<string, Buffer>();

async function codeOf(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (err) {
    if (err instanceof OctozipError) return err.code;
    throw err;
  }
}

beforeAll(async () => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-enc-'));
  src = path.join(sandbox, 'src');
  const text = Buffer.from(`${SECRET_TEXT}\n`.repeat(300));
  files.set(`docs/${SECRET_NAME}.txt`, text);
  files.set('docs/copy.txt', text); // dedup twin
  files.set('data/noise.bin', crypto.randomBytes(5000));
  files.set('data/empty', Buffer.alloc(0));
  for (const [rel, bytes] of files) {
    fs.mkdirSync(path.dirname(path.join(src, 'top', rel)), { recursive: true });
    fs.writeFileSync(path.join(src, 'top', rel), bytes);
  }
  fs.symlinkSync(`${SECRET_NAME}.txt`, path.join(src, 'top/docs/link'));
  hidden = path.join(sandbox, 'hidden.octz');
  visible = path.join(sandbox, 'visible.octz');
  await createArchive({ archivePath: hidden, inputs: ['top'], cwd: src, preset: 'fast', password: PASSWORD, encryptNames: true });
  await createArchive({ archivePath: visible, inputs: ['top'], cwd: src, preset: 'fast', password: PASSWORD });
});

afterAll(() => {
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

function copyOf(archive: string, name: string): string {
  const out = path.join(sandbox, name);
  fs.copyFileSync(archive, out);
  return out;
}

function tamper(archive: string, name: string, sql: (db: Database.Database) => void): string {
  const out = copyOf(archive, name);
  const db = new Database(out);
  db.pragma('foreign_keys = OFF');
  sql(db);
  db.close();
  return out;
}

describe('encrypted round trip', () => {
  for (const [label, archive] of [['names encrypted', () => hidden], ['names visible', () => visible]] as const) {
    it(`${label}: extracts bit-exact with the password, and verifies`, async () => {
      const dest = path.join(sandbox, `out-${label.replace(' ', '-')}`);
      await extractArchive({ archivePath: archive(), destDir: dest, password: PASSWORD });
      for (const [rel, bytes] of files) expect(fs.readFileSync(path.join(dest, 'top', rel)).equals(bytes), rel).toBe(true);
      expect(fs.readlinkSync(path.join(dest, 'top/docs/link'))).toBe(`${SECRET_NAME}.txt`);
      const report = await verifyArchive({ archivePath: archive(), password: PASSWORD });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      const listing = await listArchive(archive(), { password: PASSWORD });
      const entry = listing.entries.find((e) => e.path === `top/docs/${SECRET_NAME}.txt`);
      expect(entry?.sha256).toBe(crypto.createHash('sha256').update(files.get(`docs/${SECRET_NAME}.txt`)!).digest('hex'));
      expect(listing.info.encrypted).toBe(true);
      expect(listing.info.namesEncrypted).toBe(label === 'names encrypted');
    });
  }
});

describe('what the file shows', () => {
  const sha = () => crypto.createHash('sha256').update(files.get(`docs/${SECRET_NAME}.txt`)!).digest('hex');

  it('no content, content hash, CRC or (when chosen) name appears anywhere in the file', () => {
    const bytes = fs.readFileSync(hidden);
    expect(bytes.includes(Buffer.from(SECRET_TEXT))).toBe(false);
    expect(bytes.includes(Buffer.from(SECRET_NAME))).toBe(false);
    expect(bytes.includes(Buffer.from('noise.bin'))).toBe(false);
    expect(bytes.includes(Buffer.from(sha()))).toBe(false);
    const visibleBytes = fs.readFileSync(visible);
    expect(visibleBytes.includes(Buffer.from(SECRET_TEXT))).toBe(false);
    expect(visibleBytes.includes(Buffer.from(sha()))).toBe(false);
    // The check can fail: with visible names, the name is right there.
    expect(visibleBytes.includes(Buffer.from(SECRET_NAME))).toBe(true);
    const db = new Database(hidden, { readonly: true });
    const crcs = (db.prepare('SELECT raw_crc32 FROM chunk').all() as { raw_crc32: number }[]).map((r) => r.raw_crc32);
    const paths = (db.prepare('SELECT path, type, size, mode, mtime_ms FROM entry').all() as Record<string, unknown>[]);
    const contents = db.prepare('SELECT count(*) AS n FROM content').get() as { n: number };
    db.close();
    expect(crcs).not.toContain(crc32(files.get(`docs/${SECRET_NAME}.txt`)!));
    for (const row of paths) expect(row).toMatchObject({ path: expect.stringMatching(/^~\d+$/), type: 'file', size: 0, mode: 0, mtime_ms: 0 });
    expect(contents.n).toBe(3); // the twin is stored once: dedup still works under a keyed fingerprint
  });

  it('listing hidden names needs the password; visible names list without it, with no hashes', async () => {
    expect(await codeOf(() => listArchive(hidden))).toBe('password-required');
    const listing = await listArchive(visible);
    expect(listing.entries.map((e) => e.path)).toContain(`top/docs/${SECRET_NAME}.txt`);
    expect(listing.entries.every((e) => e.sha256 === undefined)).toBe(true);
    expect((await archiveInfo(hidden)).namesEncrypted).toBe(true);
  });
});

describe('passwords', () => {
  it('a wrong or missing password is refused before anything is written', async () => {
    for (const archive of [hidden, visible]) {
      const dest = path.join(sandbox, 'never-created');
      expect(await codeOf(() => extractArchive({ archivePath: archive, destDir: dest, password: 'wrong' }))).toBe('wrong-password');
      expect(await codeOf(() => extractArchive({ archivePath: archive, destDir: dest }))).toBe('password-required');
      expect(fs.existsSync(dest)).toBe(false);
      expect(await codeOf(() => verifyArchive({ archivePath: archive, password: 'wrong' }))).toBe('wrong-password');
    }
    expect(await codeOf(() => listArchive(hidden, { password: 'wrong' }))).toBe('wrong-password');
  });

  it('encrypting names without a password is refused', async () => {
    expect(
      await codeOf(() => createArchive({ archivePath: path.join(sandbox, 'x.octz'), inputs: ['top'], cwd: src, encryptNames: true })),
    ).toBe('input');
    expect(fs.existsSync(path.join(sandbox, 'x.octz'))).toBe(false);
  });
});

describe('tampering is detected', () => {
  const cases: [string, string, (db: Database.Database) => void][] = [
    ['a header value', 'creator', (db) => db.exec(`UPDATE header SET value = '"evil 1.0"' WHERE key = 'creator'`)],
    ['the names-encrypted flag', 'flag', (db) => {
      const row = db.prepare("SELECT value FROM header WHERE key = 'encryption'").get() as { value: string };
      db.prepare("UPDATE header SET value = ? WHERE key = 'encryption'").run(JSON.stringify({ ...JSON.parse(row.value), namesEncrypted: false }));
    }],
    ['the header MAC removed', 'nomac', (db) => db.exec("DELETE FROM header WHERE key = 'header_mac'")],
    ['an entry row removed', 'drop-entry', (db) => db.exec('DELETE FROM entry WHERE id = (SELECT max(id) FROM entry)')],
    ['two sealed entries swapped', 'swap-entries', (db) => {
      const [a, b] = db.prepare('SELECT id, sealed FROM entry ORDER BY id LIMIT 2').all() as { id: number; sealed: Buffer }[];
      db.prepare('UPDATE entry SET sealed = ? WHERE id = ?').run(b.sealed, a.id);
      db.prepare('UPDATE entry SET sealed = ? WHERE id = ?').run(a.sealed, b.id);
    }],
    ['two chunk payloads swapped', 'swap-chunks', (db) => {
      const [a, b] = db.prepare('SELECT id, payload, payload_crc32 FROM chunk ORDER BY id LIMIT 2').all() as { id: number; payload: Buffer; payload_crc32: number }[];
      db.prepare('UPDATE chunk SET payload = ?, payload_crc32 = ? WHERE id = ?').run(b.payload, b.payload_crc32, a.id);
      db.prepare('UPDATE chunk SET payload = ?, payload_crc32 = ? WHERE id = ?').run(a.payload, a.payload_crc32, b.id);
    }],
    ['a chunk relabelled to another codec', 'codec', (db) => db.exec("UPDATE chunk SET codec = CASE codec WHEN 'store' THEN 'brotli' ELSE 'store' END WHERE id = 1")],
    ['an entry pointed at another content', 'repoint', (db) => db.exec('UPDATE entry SET content_id = (SELECT max(id) FROM content) WHERE content_id = (SELECT min(id) FROM content)')],
    ['a content fingerprint edited', 'fingerprint', (db) => db.exec("UPDATE content SET sha256 = '00' || substr(sha256, 3) WHERE id = 1")],
  ];
  for (const [label, name, sql] of cases) {
    it(label, async () => {
      const archive = tamper(hidden, `t-${name}.octz`, sql);
      const dest = path.join(sandbox, `t-${name}-out`);
      const code = await codeOf(() => extractArchive({ archivePath: archive, destDir: dest, password: PASSWORD }));
      expect(code).toBe('damaged');
      // Header and entry tampering stops everything before the destination is made; a chunk found bad while
      // decoding may leave files finished before it, and those must be exactly right.
      const written = fs.existsSync(dest) ? fs.readdirSync(dest, { recursive: true }).map(String) : [];
      for (const rel of written) {
        const full = path.join(dest, rel);
        if (!fs.lstatSync(full).isFile()) continue;
        expect(fs.readFileSync(full).equals(files.get(rel.replace(/^top\//, ''))!), rel).toBe(true);
      }
      if (!name.includes('chunk') && name !== 'codec') expect(fs.existsSync(dest)).toBe(false);
    });
  }

  it('a visible name edited in the table', async () => {
    const archive = tamper(visible, 't-rename.octz', (db) => db.exec(`UPDATE entry SET path = 'top/docs/innocent.txt' WHERE path LIKE '%${SECRET_NAME}.txt'`));
    expect(await codeOf(() => extractArchive({ archivePath: archive, destDir: path.join(sandbox, 't-rename-out'), password: PASSWORD }))).toBe('damaged');
  });
});
