// Format-1 archives a stranger could send (format 1 is still read): each case edits a copy of the format-1 base
// (the fixture test/fixtures/v1/plain.octz, made by the old writer, plus a three-chunk file) through SQL into
// something hostile (escaping paths, link tricks, duplicates, lying sizes, chunk gaps and overlaps, bombs,
// unknown codecs and models, wrong versions). Also the shape every hostile case has, and inputs that are not
// SQLite at all. The fuzz test extracts each for real and judges the result. Format 2: hostile-catalogs.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import type Database from 'better-sqlite3';
import type { ErrorCode } from '../../electron/engine/errors.ts';
import { crc32, entryMetaChecksum } from '../../electron/engine/format/checksum.ts';

export interface HostileContext {
  /** Absolute path of a folder beside the destination that must stay untouched. */
  outsideDir: string;
  /** An absolute path no archive may create. */
  absoluteProbe: string;
}

export interface HostileCase {
  name: string;
  /** Edits the archive database (a copy of the base archive). */
  craft(db: Database.Database, ctx: HostileContext): void;
  /** 'refuse': extraction must fail with one of these codes; 'either': succeeding with right bytes is fine too. */
  expect: { refuse: ErrorCode[] } | 'either';
  /** Prepares the destination before extracting (e.g. a pre-planted link). */
  prepareDest?(dest: string, ctx: HostileContext): string[];
  /** Replaces the whole file instead of crafting through SQL (non-SQLite input). */
  rawFile?: Buffer;
  /** verify must report the archive not ok (or refuse it), even where extraction may succeed. */
  verifyFinds?: boolean;
}

const DAMAGE: ErrorCode[] = ['damaged', 'not-an-archive', 'unsupported-version', 'missing-model', 'limit-exceeded'];
const UNSAFE: ErrorCode[] = ['unsafe-path', 'damaged'];

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function fileEntry(db: Database.Database, path: string): { id: number; content_id: number; size: number } {
  const row = db.prepare("SELECT id, content_id, size FROM entry WHERE path = ? AND type = 'file'").get(path) as
    | { id: number; content_id: number; size: number }
    | undefined;
  if (!row) throw new Error(`base archive has no file ${path}`);
  return row;
}

/** Adds a file entry whose content is stored as the given chunks (codec 'store'), all fields consistent. */
export function addStoredFile(db: Database.Database, path: string, chunks: Buffer[], mode = 0o644): number {
  const all = Buffer.concat(chunks);
  const contentId = Number(
    db
      .prepare('INSERT INTO content (sha256, size, chunk_count, packed_size) VALUES (?, ?, ?, ?)')
      .run(sha256(all), all.length, chunks.length, all.length).lastInsertRowid,
  );
  let offset = 0;
  chunks.forEach((chunk, seq) => {
    db.prepare(
      `INSERT INTO chunk (content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, payload)
       VALUES (?, ?, ?, ?, 'store', ?, ?, ?)`,
    ).run(contentId, seq, offset, chunk.length, crc32(chunk), crc32(chunk), chunk);
    offset += chunk.length;
  });
  addRawEntry(db, path, 'file', contentId, all.length, null, mode);
  return contentId;
}

function addRawEntry(
  db: Database.Database,
  path: string,
  type: string,
  contentId: number | null,
  size: number,
  link: string | null,
  mode = 0o644,
): void {
  const columns = (db.pragma('table_info(entry)') as { name: string }[]).map((c) => c.name);
  const values = [path, type, mode, 0, size, contentId, link];
  if (columns.includes('meta_crc32')) {
    db.prepare(
      'INSERT INTO entry (path, type, mode, mtime_ms, size, content_id, link_target, meta_crc32) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(...values, entryMetaChecksum(values));
  } else {
    db.prepare('INSERT INTO entry (path, type, mode, mtime_ms, size, content_id, link_target) VALUES (?, ?, ?, ?, ?, ?, ?)').run(...values);
  }
}

/** Rebuilds a table without its UNIQUE constraints, as a hand-made hostile archive would. */
function dropUnique(db: Database.Database, table: string): void {
  const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as { sql: string };
  const relaxed = sql
    .replace(/--[^\n]*/g, '')
    .replace(/,\s*UNIQUE\s*\([^)]*\)/gi, '')
    .replace(/\bUNIQUE\b/gi, '')
    .replace(/CHECK\s*\((?:[^()]|\([^()]*\))*\)/gi, '')
    .replace(/REFERENCES\s+\w+\s*\(\w+\)/gi, '')
    .replace(new RegExp(`CREATE TABLE ${table}`, 'i'), `CREATE TABLE ${table}_relaxed`);
  db.exec(`${relaxed}; INSERT INTO ${table}_relaxed SELECT * FROM ${table}; DROP TABLE ${table};
    ALTER TABLE ${table}_relaxed RENAME TO ${table};`);
}
const dropUniqueOnEntry = (db: Database.Database) => dropUnique(db, 'entry');
const dropUniqueOnChunk = (db: Database.Database) => dropUnique(db, 'chunk');

/**
 * Recomputes every entry's metadata checksum after crafting, as a deliberate attacker would (only random damage
 * trips a CRC; a crafted archive has to be caught by the reader's real checks).
 */
export function recomputeEntryChecksums(db: Database.Database): void {
  const columns = (db.pragma('table_info(entry)') as { name: string }[]).map((c) => c.name);
  if (!columns.includes('meta_crc32')) return;
  const rows = db.prepare('SELECT id, path, type, mode, mtime_ms, size, content_id, link_target FROM entry').all() as Record<string, unknown>[];
  const update = db.prepare('UPDATE entry SET meta_crc32 = ? WHERE id = ?');
  for (const r of rows) {
    update.run(entryMetaChecksum([r.path, r.type, r.mode, r.mtime_ms, r.size, r.content_id, r.link_target]), r.id);
  }
}

/** A brotli payload of `rawSize` zero bytes, with consistent checksums: a real decompression bomb chunk. */
function zeroBombChunk(rawSize: number): { payload: Buffer; rawCrc: number } {
  const payload = zlib.brotliCompressSync(Buffer.alloc(rawSize), {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_LGWIN]: 22 },
  });
  return { payload, rawCrc: crc32(Buffer.alloc(rawSize)) };
}

export function addBombFile(db: Database.Database, path: string, chunkRaw: number, chunkCount: number): void {
  const { payload, rawCrc } = zeroBombChunk(chunkRaw);
  const size = chunkRaw * chunkCount;
  // The SHA-256 of that many zeros is irrelevant: every limit must trip long before it would be checked.
  const contentId = Number(
    db
      .prepare('INSERT INTO content (sha256, size, chunk_count, packed_size) VALUES (?, ?, ?, ?)')
      .run('0'.repeat(64), size, chunkCount, payload.length * chunkCount).lastInsertRowid,
  );
  const insert = db.prepare(
    `INSERT INTO chunk (content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, payload)
     VALUES (?, ?, ?, ?, 'brotli', ?, ?, ?)`,
  );
  for (let seq = 0; seq < chunkCount; seq++) insert.run(contentId, seq, seq * chunkRaw, chunkRaw, rawCrc, crc32(payload), payload);
  addRawEntry(db, path, 'file', contentId, size, null);
}

export const MULTI_CHUNK_PATH = 'tree/multi.bin';

/** Files of the format-1 fixture the cases aim at (test/fixtures/v1/expected.json). */
export const V1_FILES = {
  /** 21230 bytes of text, one 'cm' chunk. */
  text: 'tree/docs/long.txt',
  /** 3000 random bytes, one 'store' chunk. */
  binary: 'tree/bin/data.bin',
} as const;

export function hostileV1Cases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);

  // Paths that escape.
  for (const p of ['../evil.txt', '../../evil.txt', 'tree/../../evil.txt', '/ABS', 'C:/evil.txt', 'a\\..\\..\\evil.txt', 'tree//x', './x', 'a/./b', '', 'nul\0byte']) {
    add({
      name: `unsafe path ${JSON.stringify(p)}`,
      craft: (db, ctx) => {
        const { content_id, size } = fileEntry(db, V1_FILES.text);
        addRawEntry(db, p === '/ABS' ? `${ctx.absoluteProbe}` : p, 'file', content_id, size, null);
      },
      expect: { refuse: UNSAFE },
    });
  }
  // Links that escape, and link-then-file tricks.
  add({
    name: 'symlink to an absolute folder, then a file through it',
    craft: (db, ctx) => {
      const { content_id, size } = fileEntry(db, V1_FILES.text);
      addRawEntry(db, 'tree/zz-link', 'symlink', null, 0, ctx.outsideDir);
      addRawEntry(db, 'tree/zz-link/pwned.txt', 'file', content_id, size, null);
    },
    expect: { refuse: UNSAFE },
  });
  add({
    name: 'symlink ../outside, then a file through it',
    craft: (db) => {
      const { content_id, size } = fileEntry(db, V1_FILES.text);
      addRawEntry(db, 'zz-link', 'symlink', null, 0, '../outside');
      addRawEntry(db, 'zz-link/pwned.txt', 'file', content_id, size, null);
    },
    expect: { refuse: UNSAFE },
  });
  add({
    name: 'file listed before the symlink of the same folder name',
    craft: (db, ctx) => {
      const { content_id, size } = fileEntry(db, V1_FILES.text);
      dropUniqueOnEntry(db);
      addRawEntry(db, 'tree/sub/pwned.txt', 'file', content_id, size, null);
      addRawEntry(db, 'tree/sub', 'symlink', null, 0, ctx.outsideDir);
    },
    expect: { refuse: [...UNSAFE, 'exists'] },
  });
  add({
    name: 'link chain: a -> b, b -> .. (each judged alone looks harmless)',
    craft: (db) => {
      const { content_id, size } = fileEntry(db, V1_FILES.text);
      addRawEntry(db, 'tree/sub/b', 'symlink', null, 0, '..');
      addRawEntry(db, 'tree/sub/a', 'symlink', null, 0, 'b/..');
      addRawEntry(db, 'tree/sub/a/pwned.txt', 'file', content_id, size, null);
    },
    expect: { refuse: [...UNSAFE, 'exists'] },
  });
  add({
    name: 'a link planted in the destination before extraction',
    prepareDest: (dest, ctx) => {
      fs.mkdirSync(dest, { recursive: true });
      fs.symlinkSync(ctx.outsideDir, `${dest}/tree`);
      return ['tree'];
    },
    craft: () => undefined,
    expect: { refuse: [...UNSAFE, 'exists'] },
  });
  add({
    name: 'symlink with an absolute target',
    craft: (db) => addRawEntry(db, 'tree/abs-link', 'symlink', null, 0, '/etc/passwd'),
    expect: { refuse: UNSAFE },
  });
  add({
    name: 'symlink without a target',
    craft: (db) => addRawEntry(db, 'tree/no-target', 'symlink', null, 0, null),
    expect: { refuse: UNSAFE },
  });
  // Duplicates and collisions.
  add({
    name: 'duplicate path with different content',
    craft: (db) => {
      dropUniqueOnEntry(db);
      const { content_id, size } = fileEntry(db, V1_FILES.binary);
      addRawEntry(db, V1_FILES.text, 'file', content_id, size, null);
    },
    expect: { refuse: ['damaged', 'unsafe-path', 'exists'] },
  });
  add({
    name: 'a file and a folder under the same name',
    craft: (db) => {
      const { content_id, size } = fileEntry(db, V1_FILES.text);
      addRawEntry(db, `${V1_FILES.text}/inner.txt`, 'file', content_id, size, null);
    },
    expect: { refuse: ['damaged', 'unsafe-path', 'exists', 'io'] },
  });
  add({
    name: 'unknown entry type',
    craft: (db) => {
      dropUniqueOnEntry(db);
      db.exec(`UPDATE entry SET type = 'fifo' WHERE path = '${V1_FILES.text}'`);
    },
    expect: { refuse: ['damaged'] },
  });
  // Sizes that lie.
  add({
    name: 'entry size larger than its content',
    craft: (db) => db.exec(`UPDATE entry SET size = size + 1 WHERE path = '${V1_FILES.text}'`),
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'content size smaller than its chunks',
    craft: (db) => {
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare('UPDATE content SET size = size - 1 WHERE id = ?').run(content_id);
      db.prepare('UPDATE entry SET size = size - 1 WHERE content_id = ?').run(content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'chunk raw_size lies about its stored payload',
    craft: (db) => {
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare('UPDATE chunk SET raw_size = raw_size + 10 WHERE content_id = ? AND seq = 2').run(content_id);
      db.prepare('UPDATE content SET size = size + 10 WHERE id = ?').run(content_id);
      db.prepare('UPDATE entry SET size = size + 10 WHERE content_id = ?').run(content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'enormous declared entry and content size',
    craft: (db) => {
      const { content_id } = fileEntry(db, V1_FILES.text);
      db.prepare('UPDATE content SET size = ? WHERE id = ?').run(Number.MAX_SAFE_INTEGER, content_id);
      db.prepare('UPDATE entry SET size = ? WHERE content_id = ?').run(Number.MAX_SAFE_INTEGER, content_id);
    },
    expect: { refuse: ['damaged', 'limit-exceeded'] },
  });
  add({
    name: 'enormous chunk raw_size (would allocate 2^40 bytes)',
    craft: (db) => {
      const { content_id } = fileEntry(db, V1_FILES.text);
      db.prepare('UPDATE chunk SET raw_size = ? WHERE content_id = ?').run(2 ** 40, content_id);
      db.prepare('UPDATE content SET size = ? WHERE id = ?').run(2 ** 40, content_id);
      db.prepare('UPDATE entry SET size = ? WHERE content_id = ?').run(2 ** 40, content_id);
    },
    expect: { refuse: ['damaged', 'limit-exceeded'] },
  });
  add({
    name: 'negative and fractional sizes',
    craft: (db) => {
      db.exec(`UPDATE entry SET size = -5 WHERE path = '${V1_FILES.text}'`);
      db.exec(`UPDATE entry SET size = 2.5 WHERE path = '${V1_FILES.binary}'`);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'enormous chunk_count',
    craft: (db) => {
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare('UPDATE content SET chunk_count = ? WHERE id = ?').run(2 ** 40, content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  // Chunk sequences with gaps and overlaps.
  add({
    name: 'chunk sequence with a gap (middle chunk removed)',
    craft: (db) => {
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare('DELETE FROM chunk WHERE content_id = ? AND seq = 1').run(content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'chunk sequence with a gap, counts adjusted to match',
    craft: (db) => {
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      const mid = db.prepare('SELECT raw_size FROM chunk WHERE content_id = ? AND seq = 1').get(content_id) as { raw_size: number };
      db.prepare('DELETE FROM chunk WHERE content_id = ? AND seq = 1').run(content_id);
      db.prepare('UPDATE chunk SET seq = 1, raw_offset = raw_offset - ? WHERE content_id = ? AND seq = 2').run(mid.raw_size, content_id);
      db.prepare('UPDATE content SET chunk_count = 2, size = size - ? WHERE id = ?').run(mid.raw_size, content_id);
      db.prepare('UPDATE entry SET size = size - ? WHERE content_id = ?').run(mid.raw_size, content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'overlapping chunks',
    craft: (db) => {
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare('UPDATE chunk SET raw_offset = raw_offset - 100 WHERE content_id = ? AND seq = 2').run(content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'duplicate chunk sequence numbers',
    craft: (db) => {
      dropUniqueOnChunk(db);
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare(
        `INSERT INTO chunk (content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, payload)
         SELECT content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, payload FROM chunk WHERE content_id = ? AND seq = 1`,
      ).run(content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'chunks swapped between positions (checksums moved along)',
    craft: (db) => {
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare('UPDATE chunk SET seq = -1 WHERE content_id = ? AND seq = 0').run(content_id);
      db.prepare('UPDATE chunk SET seq = 0 WHERE content_id = ? AND seq = 1').run(content_id);
      db.prepare('UPDATE chunk SET seq = 1 WHERE content_id = ? AND seq = -1').run(content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'entry pointing at a content that does not exist',
    craft: (db) => db.exec(`UPDATE entry SET content_id = 999999 WHERE path = '${V1_FILES.text}'`),
    expect: { refuse: ['damaged'] },
  });
  add({
    name: 'payload stored as TEXT, or NULL',
    craft: (db) => {
      dropUniqueOnChunk(db);
      const { content_id } = fileEntry(db, MULTI_CHUNK_PATH);
      db.prepare("UPDATE chunk SET payload = 'text' WHERE content_id = ? AND seq = 0").run(content_id);
    },
    expect: { refuse: ['damaged'] },
  });
  // Bombs.
  add({
    name: 'decompression bomb: 96 GiB of zeros declared in 1536 chunks',
    craft: (db) => {
      const { payload, rawCrc } = zeroBombChunk(64 * 1024 * 1024);
      const chunkCount = 1536;
      const size = chunkCount * 64 * 1024 * 1024;
      const contentId = Number(
        db.prepare('INSERT INTO content (sha256, size, chunk_count, packed_size) VALUES (?, ?, ?, ?)').run('0'.repeat(64), size, chunkCount, payload.length * chunkCount)
          .lastInsertRowid,
      );
      const insert = db.prepare(
        `INSERT INTO chunk (content_id, seq, raw_offset, raw_size, codec, raw_crc32, payload_crc32, payload) VALUES (?, ?, ?, ?, 'brotli', ?, ?, ?)`,
      );
      for (let seq = 0; seq < chunkCount; seq++) insert.run(contentId, seq, seq * 64 * 1024 * 1024, 64 * 1024 * 1024, rawCrc, crc32(payload), payload);
      addRawEntry(db, 'tree/bomb.bin', 'file', contentId, size, null);
    },
    expect: { refuse: ['limit-exceeded'] },
  });
  // Unknown codecs, models and versions.
  add({
    name: 'unknown codec',
    craft: (db) => db.exec("UPDATE chunk SET codec = 'lzma-9000'"),
    expect: { refuse: ['damaged', 'missing-model'] },
  });
  add({
    name: 'neural chunk needing a model this build lacks',
    craft: (db) => {
      db.prepare("UPDATE header SET value = ? WHERE key = 'models'").run(JSON.stringify([{ name: 'octo-mlp-v999', sha256: 'ab'.repeat(32) }]));
      db.exec("UPDATE chunk SET codec = 'neural'");
    },
    expect: { refuse: ['missing-model', 'damaged'] },
  });
  add({ name: 'newer user_version', craft: (db) => db.pragma('user_version = 99'), expect: { refuse: ['unsupported-version'] } });
  add({
    name: 'newer header format_version',
    craft: (db) => db.exec("UPDATE header SET value = '99' WHERE key = 'format_version'"),
    expect: { refuse: ['unsupported-version', 'damaged'] },
  });
  add({
    name: 'format_version of the wrong type',
    craft: (db) => db.exec(`UPDATE header SET value = '"one"' WHERE key = 'format_version'`),
    expect: { refuse: ['damaged', 'unsupported-version'] },
  });
  add({ name: 'foreign application_id', craft: (db) => db.pragma('application_id = 1234'), expect: { refuse: ['not-an-archive'] } });
  add({ name: 'header table missing', craft: (db) => db.exec('DROP TABLE header'), expect: { refuse: DAMAGE } });
  add({ name: 'chunk table missing', craft: (db) => db.exec('DROP TABLE chunk'), expect: { refuse: DAMAGE } });
  add({ name: 'header value not JSON', craft: (db) => db.exec("UPDATE header SET value = '{' WHERE key = 'codec_params'"), expect: { refuse: DAMAGE } });
  add({
    name: 'encrypted header with hostile KDF parameters',
    craft: (db) =>
      db.prepare("INSERT OR REPLACE INTO header (key, value) VALUES ('encryption', ?)").run(
        JSON.stringify({ version: 1, cipher: 'aes-256-gcm', kdf: { name: 'scrypt', logN: 40, r: 1024, p: 64, salt: '00'.repeat(32) }, keyCheck: '00'.repeat(32), archiveId: '00'.repeat(16), namesEncrypted: false }),
      ),
    expect: { refuse: ['damaged', 'password-required', 'wrong-password'] },
  });
  // Not SQLite at all.
  add({ name: 'empty file', craft: () => undefined, rawFile: Buffer.alloc(0), expect: { refuse: ['not-an-archive', 'damaged'] } });
  add({ name: 'random bytes', craft: () => undefined, rawFile: crypto.randomBytes(4096), expect: { refuse: ['not-an-archive', 'damaged'] } });
  add({
    name: 'a zip file',
    craft: () => undefined,
    rawFile: Buffer.from('504b0506000000000000000000000000000000000000', 'hex'),
    expect: { refuse: ['not-an-archive', 'damaged'] },
  });
  // Metadata that must be sanitized rather than refused.
  add({
    name: 'set-user-ID and odd mode bits, far-future mtime',
    craft: (db) => db.exec(`UPDATE entry SET mode = 4095 | 0x10000, mtime_ms = 253402300799000 WHERE path = '${V1_FILES.text}'`),
    expect: 'either',
  });
  return cases;
}


