// Encrypted archives end to end on the real engine and real SQLite files: round trips, nothing readable in the
// file, wrong or missing passwords refused before anything is written, and tampering of every kind detected.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveInfo, createArchive, deleteFromArchive, extractArchive, listArchive, verifyArchive } from '../../electron/engine/index.ts';
import { decodeEntryList, encodeEntryList } from '../../electron/engine/format/catalog.ts';
import { crc32 } from '../../electron/engine/format/checksum.ts';
import { blockRows, readableBytes } from '../helpers/blocks.ts';
import { codeOf } from '../helpers/error-code.ts';

const PASSWORD = 'tr0ub4dor & 3';
const SECRET_NAME = 'PLANS-FOR-WORLD-DOMINATION';
const SECRET_TEXT = 'THE-EAGLE-LANDS-AT-MIDNIGHT';

let sandbox: string;
let src: string;
let hidden: string; // names encrypted
let visible: string; // names in the clear, content encrypted
const files = new Map<string, Buffer>();


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
      expect(report.entries.every((e) => e.verdict === 'intact')).toBe(true);
      const listing = await listArchive(archive(), { password: PASSWORD });
      const entry = listing.entries.find((e) => e.path === `top/docs/${SECRET_NAME}.txt`);
      expect(entry).toMatchObject({ type: 'file', size: files.get(`docs/${SECRET_NAME}.txt`)!.length });
      expect(listing.info.encrypted).toBe(true);
      expect(listing.info.namesEncrypted).toBe(label === 'names encrypted');
    });
  }
});

describe('what the file shows', () => {
  const sha = () => crypto.createHash('sha256').update(files.get(`docs/${SECRET_NAME}.txt`)!).digest('hex');

  it('no content, content hash, CRC or (when chosen) name appears anywhere in the file', () => {
    const secret = files.get(`docs/${SECRET_NAME}.txt`)!;
    const crcBytes = Buffer.alloc(4);
    crcBytes.writeUInt32LE(crc32(secret)); // as the content list stores it
    // The file as it is, plus every block payload decoded with brotli where it decodes (the catalog is brotli).
    const bytes = readableBytes(hidden);
    expect(bytes.includes(Buffer.from(SECRET_TEXT))).toBe(false);
    expect(bytes.includes(Buffer.from(SECRET_NAME))).toBe(false);
    expect(bytes.includes(Buffer.from('noise.bin'))).toBe(false);
    expect(bytes.includes(Buffer.from(sha()))).toBe(false);
    expect(bytes.includes(Buffer.from(sha(), 'hex'))).toBe(false);
    expect(bytes.includes(crcBytes)).toBe(false);
    const visibleBytes = readableBytes(visible);
    expect(visibleBytes.includes(Buffer.from(SECRET_TEXT))).toBe(false);
    expect(visibleBytes.includes(Buffer.from(sha()))).toBe(false);
    expect(visibleBytes.includes(Buffer.from(sha(), 'hex'))).toBe(false);
    expect(visibleBytes.includes(crcBytes)).toBe(false);
    // The check can fail: with visible names, the name is right there in the decoded entry list.
    expect(visibleBytes.includes(Buffer.from(SECRET_NAME))).toBe(true);
    // Block hashes are keyed: none is the public SHA-256 of a data block's bytes (the prose block holds the
    // secret text once; its twin is not stored again).
    for (const archive of [hidden, visible]) {
      const data = blockRows(archive, 'data');
      const prose = data.find((b) => b.rawSize === secret.length);
      expect(prose, 'the secret text is one block of its own kind').toBeDefined();
      expect(prose!.rawSha256).not.toBe(crypto.createHash('sha256').update(secret).digest('hex'));
      // The twin is stored once: dedup still works under a keyed hash. Visible: raw sizes (text + noise).
      expect(data.reduce((sum, b) => sum + b.rawSize, 0)).toBe(secret.length + files.get('data/noise.bin')!.length);
    }
    // What stays visible is the block table's shape: one entry list, one content list, the data blocks.
    expect(blockRows(hidden).map((b) => b.role).sort()).toEqual(['contents', 'data', 'data', 'entries']);
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
    ['a data block row removed', 'drop-block', (db) => db.exec("DELETE FROM block WHERE id = (SELECT min(id) FROM block WHERE role = 'data')")],
    ['the entry list removed', 'drop-entries', (db) => db.exec("DELETE FROM block WHERE role = 'entries'")],
    ['the two catalog blocks given each other\'s role', 'swap-roles', (db) =>
      db.exec("UPDATE block SET role = CASE role WHEN 'entries' THEN 'contents' ELSE 'entries' END WHERE role IN ('entries', 'contents')")],
    ['two data block payloads swapped', 'swap-blocks', (db) => {
      const [a, b] = db.prepare("SELECT id, payload, payload_crc32 FROM block WHERE role = 'data' ORDER BY id LIMIT 2").all() as { id: number; payload: Buffer; payload_crc32: number }[];
      db.prepare('UPDATE block SET payload = ?, payload_crc32 = ? WHERE id = ?').run(b.payload, b.payload_crc32, a.id);
      db.prepare('UPDATE block SET payload = ?, payload_crc32 = ? WHERE id = ?').run(a.payload, a.payload_crc32, b.id);
    }],
    ['a data block relabelled to another codec', 'codec', (db) =>
      db.exec("UPDATE block SET codec = CASE codec WHEN 'store' THEN 'brotli' ELSE 'store' END WHERE id = (SELECT min(id) FROM block WHERE role = 'data')")],
    ['a data block given another raw size', 'raw-size', (db) => db.exec("UPDATE block SET raw_size = raw_size + 1 WHERE id = (SELECT min(id) FROM block WHERE role = 'data')")],
    ['a block hash edited', 'block-hash', (db) => db.exec("UPDATE block SET raw_sha256 = zeroblob(32) WHERE id = (SELECT max(id) FROM block WHERE role = 'data')")],
    // The row is left as it was: only decoding the block finds this one, so files before it may be written.
    ['a data payload byte flipped', 'flip-data', (db) => {
      const row = db.prepare("SELECT id, payload FROM block WHERE role = 'data' ORDER BY id DESC LIMIT 1").get() as { id: number; payload: Buffer };
      row.payload[row.payload.length >> 1] ^= 0x40;
      db.prepare('UPDATE block SET payload = ? WHERE id = ?').run(row.payload, row.id);
    }],
  ];
  for (const [label, name, sql] of cases) {
    it(label, async () => {
      const archive = tamper(hidden, `t-${name}.octz`, sql);
      const dest = path.join(sandbox, `t-${name}-out`);
      const code = await codeOf(() => extractArchive({ archivePath: archive, destDir: dest, password: PASSWORD }));
      expect(code).toBe('damaged');
      // Header and block-row tampering stops everything before the destination is made (the header MAC covers
      // every block row); a block found bad while decoding may leave files finished before it, exactly right.
      const written = fs.existsSync(dest) ? fs.readdirSync(dest, { recursive: true }).map(String) : [];
      for (const rel of written) {
        const full = path.join(dest, rel);
        if (!fs.lstatSync(full).isFile()) continue;
        expect(fs.readFileSync(full).equals(files.get(rel.replace(/^top\//, ''))!), rel).toBe(true);
      }
      if (name !== 'flip-data') expect(fs.existsSync(dest)).toBe(false);
    });
  }

  it('a visible name edited in the entry list, its checksums made to match', async () => {
    const archive = tamper(visible, 't-rename.octz', (db) => {
      const row = db.prepare("SELECT id, payload FROM block WHERE role = 'entries'").get() as { id: number; payload: Buffer };
      const entries = decodeEntryList(zlib.brotliDecompressSync(row.payload));
      const renamed = entries.map((e) => ({ ...e, path: e.path.replace(SECRET_NAME, 'innocent') }));
      expect(renamed).not.toEqual(entries);
      const raw = encodeEntryList(renamed, zlib.brotliDecompressSync(row.payload)[0] === 1 ? 1 : 2);
      const payload = zlib.brotliCompressSync(raw);
      db.prepare('UPDATE block SET payload = ?, payload_crc32 = ?, raw_size = ?, raw_sha256 = ? WHERE id = ?').run(
        payload,
        crc32(payload),
        raw.length,
        crypto.createHash('sha256').update(raw).digest(),
        row.id,
      );
    });
    // Without the password the edit shows (names are public); with it, the header MAC refuses the archive.
    expect((await listArchive(archive)).entries.map((e) => e.path)).toContain('top/docs/innocent.txt');
    expect(await codeOf(() => extractArchive({ archivePath: archive, destDir: path.join(sandbox, 't-rename-out'), password: PASSWORD }))).toBe('damaged');
    expect(await codeOf(() => listArchive(archive, { password: PASSWORD }))).toBe('damaged');
  });

  it('the catalog rolled back to before a delete', async () => {
    const before = copyOf(hidden, 't-rollback.octz');
    const after = copyOf(hidden, 't-rollback-base.octz');
    await deleteFromArchive({ archivePath: after, entries: ['top/docs/link'], password: PASSWORD });
    const old = new Database(before, { readonly: true });
    const oldCatalog = old.prepare("SELECT * FROM block WHERE role IN ('entries', 'contents')").all() as Record<string, unknown>[];
    old.close();
    const db = new Database(after);
    db.exec("DELETE FROM block WHERE role IN ('entries', 'contents')");
    const insert = db.prepare('INSERT INTO block (id, role, codec, raw_size, raw_sha256, payload_crc32, payload) VALUES (@id, @role, @codec, @raw_size, @raw_sha256, @payload_crc32, @payload)');
    for (const row of oldCatalog) insert.run(row);
    db.close();
    const dest = path.join(sandbox, 't-rollback-out');
    expect(await codeOf(() => extractArchive({ archivePath: after, destDir: dest, password: PASSWORD }))).toBe('damaged');
    expect(fs.existsSync(dest)).toBe(false);
  });
});
