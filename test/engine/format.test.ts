// The .octz file itself: self-describing, inspectable with the sqlite3 shell, refused when foreign or newer.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveInfo, createArchive, extractArchive, listArchive, verifyArchive } from '../../electron/engine/index.ts';
import { crc32, crc32Portable } from '../../electron/engine/format/checksum.ts';
import { openDatabase } from '../../electron/engine/format/database.ts';
import { ArchiveReader } from '../../electron/engine/format/reader.ts';
import { APPLICATION_ID, FORMAT_VERSION, PAGE_SIZE, pageSizeFor } from '../../electron/engine/format/schema.ts';
import { craftArchive } from '../helpers/craft.ts';
import { tempDir } from '../helpers/tree.ts';

let root: string;
let cleanup: () => void;
let archivePath: string;

beforeAll(async () => {
  ({ dir: root, cleanup } = tempDir());
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'hello octozip\n'.repeat(100));
  fs.writeFileSync(path.join(src, 'b.txt'), 'hello octozip\n'.repeat(100));
  fs.writeFileSync(path.join(src, 'empty'), '');
  archivePath = path.join(root, 'a.octz');
  await createArchive({ archivePath, inputs: ['src'], cwd: root, preset: 'fast' });
});
afterAll(() => cleanup());

function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
}

describe('the .octz format', () => {
  it('identifies itself through application_id and user_version, readable by the sqlite3 shell', () => {
    expect(Number(sqlite3(archivePath, 'PRAGMA application_id'))).toBe(APPLICATION_ID);
    expect(Number(sqlite3(archivePath, 'PRAGMA user_version'))).toBe(FORMAT_VERSION);
    expect(Number(sqlite3(archivePath, 'PRAGMA page_size'))).toBe(PAGE_SIZE);
    expect(sqlite3(archivePath, "SELECT value FROM header WHERE key = 'creator'")).toBe('"octozip 0.1.0"');
    // Two tables: the header, and blocks (file data and the two halves of the catalog).
    expect(sqlite3(archivePath, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).toBe('block\nheader');
    expect(sqlite3(archivePath, 'SELECT role, count(*) FROM block GROUP BY role ORDER BY role')).toBe('contents|1\ndata|1\nentries|1');
    expect(sqlite3(archivePath, "SELECT codec FROM block WHERE role IN ('entries', 'contents')").split('\n').every((c) => c === 'brotli' || c === 'store')).toBe(true);
    expect(sqlite3(archivePath, "SELECT value FROM header WHERE key = 'block_bytes'")).toBe(String(8 * 1024 * 1024));
    // Identical content is stored once: one data block holding 1400 bytes for two 1400-byte files.
    expect(sqlite3(archivePath, "SELECT sum(raw_size) FROM block WHERE role = 'data'")).toBe('1400');
    expect(sqlite3(archivePath, 'PRAGMA integrity_check')).toBe('ok');
  });

  it('records header, sizes and codecs for info', async () => {
    const info = await archiveInfo(archivePath);
    expect(info).toMatchObject({
      formatVersion: FORMAT_VERSION,
      creator: 'octozip 0.1.0',
      entries: 4,
      files: 3,
      rawBytes: 2800,
      codecs: ['brotli'],
      models: [],
      codecParams: { brotli: { quality: 9, windowBits: 22 } },
      encrypted: false,
    });
    expect(info.archiveBytes).toBe(fs.statSync(archivePath).size);
    const listing = await listArchive({ archivePath });
    expect(listing.entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['src', 'directory', 0],
      ['src/a.txt', 'file', 1400],
      ['src/b.txt', 'file', 1400],
      ['src/empty', 'file', 0],
    ]);
    // Format 2 keeps a CRC-32 per file (hashes are per block), so the listing shows no SHA-256...
    expect(listing.entries.every((e) => e.sha256 === undefined)).toBe(true);
    // ...and the catalog's CRC-32 is that of the file's bytes.
    const reader = ArchiveReader.open(archivePath);
    const a = reader.entries().find((e) => e.path === 'src/a.txt')!;
    expect(reader.contents().get(a.contentId!)?.crc32).toBe(crc32(Buffer.from('hello octozip\n'.repeat(100))));
    reader.close();
  });

  it('lists without touching file data (the catalog is all it reads)', async () => {
    const copy = path.join(root, 'zeroed.octz');
    fs.copyFileSync(archivePath, copy);
    const db = openDatabase(copy);
    db.prepare("UPDATE block SET payload = zeroblob(length(payload)) WHERE role = 'data'").run();
    db.close();
    expect((await listArchive(copy)).entries).toHaveLength(4);
    expect((await verifyArchive({ archivePath: copy })).ok).toBe(false);
  });

  it('refuses files that are not archives, and archives from a newer format', async () => {
    const notArchive = path.join(root, 'text.octz');
    fs.writeFileSync(notArchive, 'just text, long enough to not be an empty database '.repeat(20));
    await expect(listArchive(notArchive)).rejects.toMatchObject({ code: 'not-an-archive' });
    const plainDb = path.join(root, 'plain.sqlite');
    sqlite3(plainDb, 'CREATE TABLE t(x)');
    await expect(archiveInfo(plainDb)).rejects.toMatchObject({ code: 'not-an-archive' });
    const newer = path.join(root, 'newer.octz');
    craftArchive(newer, [{ path: 'x', bytes: Buffer.from('x') }], { formatVersion: FORMAT_VERSION + 1 });
    await expect(listArchive(newer)).rejects.toMatchObject({ code: 'unsupported-version' });
    await expect(listArchive(path.join(root, 'absent.octz'))).rejects.toMatchObject({ code: 'io' });
  });

  it('names the model an archive needs when this build lacks it', async () => {
    const needy = path.join(root, 'needy.octz');
    const model = { name: 'octo-mlp-v0-missing', sha256: '0'.repeat(64) };
    craftArchive(needy, [{ path: 'x', bytes: Buffer.from('payload') }], { codec: 'neural', models: [model] });
    const report = await verifyArchive({ archivePath: needy });
    expect(report.ok).toBe(false);
    expect(report.entries).toEqual([expect.objectContaining({ path: 'x', verdict: 'missing-model' })]);
    expect(report.entries[0].problem).toContain('octo-mlp-v0-missing');
    const err = await extractArchive({ archivePath: needy, destDir: path.join(root, 'needy-out') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'missing-model' });
    expect((err as Error).message).toContain('octo-mlp-v0-missing');
  });

  it('records the encryption in the header when a password is given (test/trust covers the rest)', async () => {
    const encrypted = path.join(root, 'p.octz');
    await createArchive({ archivePath: encrypted, inputs: ['src'], cwd: root, preset: 'fast', password: 'pw' });
    const info = await archiveInfo(encrypted);
    expect(info).toMatchObject({ encrypted: true, namesEncrypted: false });
  });

  it('refuses to replace an archive unless asked', async () => {
    await expect(createArchive({ archivePath, inputs: ['src'], cwd: root, preset: 'fast' })).rejects.toMatchObject({ code: 'exists' });
  });

  it('a create picks the page size that makes the smallest file: small pages for small archives, larger for large payloads', async () => {
    // Pseudo-random bytes: stored as they are, so the payload is as large as the file.
    const big = path.join(root, 'big');
    fs.mkdirSync(big);
    let x = 12345;
    const noise = Buffer.alloc(1_500_000, 0).map(() => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x >>> 24));
    fs.writeFileSync(path.join(big, 'noise.bin'), noise);
    const bigArchive = path.join(root, 'big.octz');
    await createArchive({ archivePath: bigArchive, inputs: ['big'], cwd: root, preset: 'fast' });
    for (const file of [archivePath, bigArchive]) {
      // Every candidate, by SQLite itself: the same database rewritten with each page size.
      const sizes = new Map<number, number>();
      for (const size of [512, 1024, 2048, 4096]) {
        const copy = path.join(root, `page-${size}.octz`);
        fs.rmSync(copy, { force: true });
        sqlite3(file, `PRAGMA page_size = ${size}; VACUUM INTO '${copy}'`);
        sizes.set(size, fs.statSync(copy).size);
      }
      const smallest = Math.min(...sizes.values());
      expect(fs.statSync(file).size, file).toBe(smallest);
      expect(sizes.get(Number(sqlite3(file, 'PRAGMA page_size')))).toBe(smallest);
    }
    expect(Number(sqlite3(archivePath, 'PRAGMA page_size'))).toBe(512);
    expect(Number(sqlite3(bigArchive, 'PRAGMA page_size'))).toBeGreaterThan(512);
    expect(pageSizeFor([])).toBe(PAGE_SIZE);
  });

  it('CRC-32 matches the portable implementation and the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32Portable(Buffer.from('123456789'))).toBe(0xcbf43926);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => crc32(bytes) === crc32Portable(bytes)));
  });
});
