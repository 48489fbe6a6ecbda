// Format-2 archives a stranger could send: each case edits a copy of the plain base archive (several solid data
// blocks, files spanning blocks, one block shared by two files) through catalog surgery (catalog-surgery.ts):
// slices that overlap, run past or outside their blocks, lists that lie about their counts, hostile names and
// links, missing or doubled catalog blocks, lying block rows, bombs, and version mismatches. Every checksum the
// case does not target is made right, so only the crafted part differs. The fuzz test extracts each for real.
import fs from 'node:fs';
import zlib from 'node:zlib';
import type Database from 'better-sqlite3';
import { ByteWriter } from '../../electron/engine/format/byte-stream.ts';
import { encodeEntryList } from '../../electron/engine/format/catalog.ts';
import { crc32 } from '../../electron/engine/format/checksum.ts';
import type { CatalogContent, EntryRecord } from '../../electron/engine/format/records.ts';
import { FORMAT_VERSION, catalogLayout } from '../../electron/engine/format/schema.ts';
import {
  blockRows,
  catalogBlockId,
  CONTENT_COLUMNS,
  ENTRY_COLUMNS,
  insertBlock,
  namesColumn,
  readContents,
  readEntries,
  rewriteContentColumns,
  rewriteContents,
  rewriteEntries,
  rewriteEntryColumns,
  sha256,
  storeBlock,
  decodedBlock,
} from '../helpers/catalog-surgery.ts';
import type { HostileCase } from './hostile-archives.ts';

/** Files of the format-2 base archive the cases aim at (archive-fuzz.test.ts builds it; 1 KiB blocks). */
export const V2_FILES = {
  /** 3080 bytes of text: four slices, blocks of its own (the last one 8 bytes), shared with dup.txt. */
  text: 'tree/readme.txt',
  /** 3000 random bytes: three stored blocks, the last shared with multi.bin. */
  binary: 'tree/data.bin',
  /** 2100 random bytes: starts at the end of data.bin's last block, spans two more. */
  spanning: 'tree/multi.bin',
} as const;

const DAMAGE_ONLY = ['damaged'] as const;
const UNSAFE = ['unsafe-path', 'damaged'] as const;

function entryOf(entries: EntryRecord[], path: string): EntryRecord {
  const entry = entries.find((e) => e.path === path);
  if (!entry) throw new Error(`the base archive has no entry ${path}`);
  return entry;
}

function contentOf(db: Database.Database, path: string): number {
  const id = entryOf(readEntries(db), path).contentId;
  if (id === null) throw new Error(`${path} has no content`);
  return id;
}

/**
 * Edits the content a file uses; the entries that use it follow its size, so the case tests the slices and not a
 * size mismatch. (The last slice's length is not stored: it is whatever the size leaves.)
 */
function editContent(db: Database.Database, path: string, edit: (content: CatalogContent) => unknown): void {
  const id = contentOf(db, path);
  const edited = structuredClone(readContents(db)[id]!);
  edit(edited);
  // The entries first: a content list of layout 2 (format 3) codes its sizes against the entry list's.
  rewriteEntries(db, (entries) => {
    for (const e of entries) if (e.contentId === id) e.size = edited.size;
  });
  rewriteContents(db, (contents) => void (contents[id] = edited));
}

/** Appends a new entry to the list (shares the named file's content when `like` is given). */
function addEntry(db: Database.Database, entry: Partial<EntryRecord> & { path: string }, like?: string): void {
  rewriteEntries(db, (entries) => {
    const model = like ? entryOf(entries, like) : undefined;
    entries.push({
      type: model ? 'file' : 'directory',
      mode: 0o644,
      mtimeMs: 0,
      size: model?.size ?? 0,
      contentId: model?.contentId ?? null,
      linkTarget: null,
      ...entry,
    });
  });
}

/** Replaces the name bytes of the entry at `index`, keeping every other name as it was. */
function setNameBytes(db: Database.Database, index: number, bytes: Uint8Array): void {
  const names: Uint8Array[] = readEntries(db).map((e) => Buffer.from(e.path, 'utf8'));
  names[index] = bytes;
  rewriteEntryColumns(db, (list) => (list.columns[ENTRY_COLUMNS.names] = namesColumn(list.version, names.map((rest) => ({ shared: 0, rest })))));
}

function indexOf(db: Database.Database, path: string): number {
  return readEntries(db).findIndex((e) => e.path === path);
}

/** A varint of `count` continuation bytes, then a final byte: a number far past 2^53. */
function overlongVarint(count: number): Uint8Array {
  return Uint8Array.from([...Array.from({ length: count }, () => 0xff), 0x7f]);
}

/** The column without its first varint. */
function afterFirstVarint(column: Uint8Array): Uint8Array {
  let at = 0;
  while (column[at]! >= 0x80) at++;
  return column.subarray(at + 1);
}

function firstDataBlockWhere(db: Database.Database, codec: string): number {
  const row = blockRows(db).find((b) => b.role === 'data' && b.codec === codec && b.raw_size === 1024);
  if (!row) throw new Error(`the base archive has no full ${codec} data block`);
  return row.id;
}

/** The data block holding `path`'s first slice. */
function firstBlockOf(db: Database.Database, path: string): number {
  return readContents(db)[contentOf(db, path)]!.slices[0]!.blockId;
}

/** Adds a file whose content is `blocks` copies of one block claiming `rawSize` bytes with the given payload. */
function addBlockFile(db: Database.Database, path: string, block: { payload: Uint8Array; codec: string; rawSize: number; rawSha256: Uint8Array }, blocks: number, contentCrc: number): void {
  const slices: CatalogContent['slices'] = [];
  for (let i = 0; i < blocks; i++) {
    const id = insertBlock(db, { role: 'data', ...block });
    slices.push({ blockId: id, offset: 0, length: block.rawSize });
  }
  let contentId = 0;
  rewriteContents(db, (contents) => {
    contentId = contents.length;
    contents.push({ id: contentId, size: block.rawSize * blocks, crc32: contentCrc, slices });
  });
  addEntry(db, { path, type: 'file', size: block.rawSize * blocks, contentId });
}

let zeroBomb: Buffer | null = null;
/** brotli of 64 MiB of zeros: a real, consistent bomb block (about 100 bytes). */
function zeroBombPayload(): Buffer {
  zeroBomb ??= zlib.brotliCompressSync(Buffer.alloc(64 * 1024 * 1024), {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_LGWIN]: 22 },
  });
  return zeroBomb;
}

export function hostileCatalogCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const { text, binary, spanning } = V2_FILES;

  // Slices.
  add({
    name: 'slice overlapping another content in a shared block',
    craft: (db) => editContent(db, spanning, (c) => (c.slices[0]!.offset -= 100)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'two contents with the same slices (identical files must share one content)',
    craft: (db) => {
      const source = readContents(db)[contentOf(db, binary)]!;
      editContent(db, spanning, (c) => {
        c.size = source.size;
        c.crc32 = source.crc32;
        c.slices = source.slices.map((s) => ({ ...s }));
      });
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: "slice running past its block's end",
    craft: (db) => editContent(db, spanning, (c) => (c.slices[0]!.offset += 10)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'last slice longer than its block (content size grown to match)',
    craft: (db) => editContent(db, text, (c) => (c.size += 1)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'slice pointing at the entry-list block',
    craft: (db) => {
      const entriesBlock = catalogBlockId(db, 'entries');
      editContent(db, text, (c) => (c.slices.at(-1)!.blockId = entriesBlock));
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'slice pointing at the content-list block',
    craft: (db) => {
      const contentsBlock = catalogBlockId(db, 'contents');
      editContent(db, text, (c) => (c.slices.at(-1)!.blockId = contentsBlock));
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'slice pointing at a block that does not exist',
    craft: (db) => editContent(db, text, (c) => (c.slices.at(-1)!.blockId = 9999)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'slice pointing at a negative block id',
    craft: (db) => editContent(db, text, (c) => (c.slices[0]!.blockId = -3)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'slices running backwards (two blocks swapped in the list)',
    craft: (db) => editContent(db, text, (c) => ([c.slices[0], c.slices[1]] = [c.slices[1]!, c.slices[0]!])),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'one slice repeated (the same bytes twice in one content)',
    craft: (db) => editContent(db, text, (c) => (c.slices[1] = { ...c.slices[0]! })),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a slice skipping bytes of its block (a gap, sizes adjusted)',
    craft: (db) =>
      editContent(db, binary, (c) => {
        c.slices[1]!.offset = 24;
        c.slices[1]!.length -= 24;
        c.size -= 24;
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content size smaller than its slices',
    craft: (db) => editContent(db, text, (c) => (c.size -= 1)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content size larger than its slices (the last one takes a wrong rest)',
    craft: (db) => editContent(db, binary, (c) => (c.size += 40)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content checksum wrong',
    craft: (db) => rewriteContents(db, (contents) => void (contents[contentOf(db, binary)]!.crc32 ^= 1)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content count larger than the list',
    craft: (db) => rewriteContentColumns(db, (list) => (list.count += 1)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content count smaller than the list',
    craft: (db) => rewriteContentColumns(db, (list) => (list.count -= 1)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content count of 2^40',
    craft: (db) => rewriteContentColumns(db, (list) => (list.count = 2 ** 40)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'slice count of 2^40 for one content',
    craft: (db) =>
      rewriteContentColumns(db, (list) => {
        const slices = new ByteWriter();
        slices.varint(2 ** 40);
        slices.bytes(afterFirstVarint(list.columns[CONTENT_COLUMNS.slices]!));
        list.columns[CONTENT_COLUMNS.slices] = slices.finish();
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content size varint past 2^53',
    craft: (db) =>
      rewriteContentColumns(db, (list) => {
        const sizes = list.columns[CONTENT_COLUMNS.sizes]!;
        list.columns[CONTENT_COLUMNS.sizes] = Buffer.concat([overlongVarint(8), afterFirstVarint(sizes)]);
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'enormous content and entry size (2^53 - 1)',
    craft: (db) => editContent(db, text, (c) => (c.size = Number.MAX_SAFE_INTEGER)),
    expect: { refuse: ['damaged', 'limit-exceeded'] },
    verifyFinds: true,
  });
  // Layout 2 (format 3) stores each size as its difference from the size of the first file naming the content.
  add({
    name: 'first content size a large negative difference (layout 1: a size of 1999999)',
    craft: (db) =>
      rewriteContentColumns(db, (list) => {
        const first = new ByteWriter();
        first.signed(-1_000_000);
        list.columns[CONTENT_COLUMNS.sizes] = Buffer.concat([first.finish(), afterFirstVarint(list.columns[CONTENT_COLUMNS.sizes]!)]);
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content size one more than the files naming it say',
    craft: (db) => {
      const id = contentOf(db, binary);
      rewriteContents(db, (contents) => void (contents[id]!.size += 1));
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content list with bytes left over',
    craft: (db) => rewriteContentColumns(db, (list) => (list.columns[CONTENT_COLUMNS.slices] = Buffer.concat([list.columns[CONTENT_COLUMNS.slices]!, Buffer.from([0])]))),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'content list of an unknown layout version',
    craft: (db) => rewriteContentColumns(db, (list) => (list.version = 9)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });

  // Entries and their content references.
  add({
    name: 'entry pointing at a content past the list',
    craft: (db) => rewriteEntries(db, (entries) => void (entryOf(entries, text).contentId = 99)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'entry pointing at content -1',
    craft: (db) =>
      rewriteEntries(db, (entries) => {
        // The first file's reference is coded relative to -1 + 1: a delta of -1 decodes to content -1.
        entries.find((e) => e.type === 'file')!.contentId = -1;
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'entry size larger than its content',
    craft: (db) => rewriteEntries(db, (entries) => void (entryOf(entries, text).size += 1)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'file entry pointing at the empty content (sizes disagree)',
    craft: (db) =>
      rewriteEntries(db, (entries) => {
        const empty = entryOf(entries, 'tree/empty.txt');
        entryOf(entries, binary).contentId = empty.contentId;
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'entry count larger than the list',
    craft: (db) => rewriteEntryColumns(db, (list) => (list.count += 1)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'entry count of 2^50',
    craft: (db) => rewriteEntryColumns(db, (list) => (list.count = 2 ** 50)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'unknown entry type byte',
    craft: (db) =>
      rewriteEntryColumns(db, (list) => {
        const types = Buffer.from(list.columns[ENTRY_COLUMNS.types]!);
        types[indexOf(db, text)] = 3;
        list.columns[ENTRY_COLUMNS.types] = types;
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'mode varint past 2^53',
    craft: (db) =>
      rewriteEntryColumns(db, (list) => {
        const modes = list.columns[ENTRY_COLUMNS.modes]!;
        list.columns[ENTRY_COLUMNS.modes] = Buffer.concat([overlongVarint(9), afterFirstVarint(modes)]);
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'mode past 0o7777',
    craft: (db) =>
      rewriteEntryColumns(db, (list) => {
        const modes = new ByteWriter();
        for (const e of readEntries(db)) modes.varint(e.path === text ? 0o170644 : e.mode);
        list.columns[ENTRY_COLUMNS.modes] = modes.finish();
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'mtime deltas adding up past 2^53',
    craft: (db) =>
      rewriteEntryColumns(db, (list) => {
        const mtimes = new ByteWriter();
        for (let i = 0; i < list.count; i++) mtimes.signed(2 ** 51);
        list.columns[ENTRY_COLUMNS.mtimes] = mtimes.finish();
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'names column one byte short (layout 2: the last name has no end byte)',
    craft: (db) => rewriteEntryColumns(db, (list) => (list.columns[ENTRY_COLUMNS.names] = list.columns[ENTRY_COLUMNS.names]!.subarray(0, -1))),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'names column with a byte too many after the last name',
    craft: (db) => rewriteEntryColumns(db, (list) => (list.columns[ENTRY_COLUMNS.names] = Buffer.concat([list.columns[ENTRY_COLUMNS.names]!, Buffer.from([0x41])]))),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a name sharing more bytes than the previous name has',
    craft: (db) =>
      rewriteEntryColumns(db, (list) => {
        const names = readEntries(db).map((e, i) => ({ shared: i === 1 ? 200 : 0, rest: Buffer.from(e.path) }));
        list.columns[ENTRY_COLUMNS.names] = namesColumn(list.version, names);
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  for (const [what, bytes] of [
    ['a lone continuation byte', [0x74, 0x72, 0x65, 0x65, 0x2f, 0x80]],
    ['an overlong encoding of "../"', [0xc0, 0xae, 0xc0, 0xae, 0xc0, 0xaf, 0x78]],
    ['a UTF-16 surrogate', [0x74, 0x2f, 0xed, 0xa0, 0x80]],
    ['bytes 0xff 0xfe', [0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]],
  ] as const) {
    add({
      name: `invalid UTF-8 in a name: ${what}`,
      craft: (db) => setNameBytes(db, indexOf(db, text), Uint8Array.from(bytes)),
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
  }
  add({
    name: 'invalid UTF-8 in a link target',
    craft: (db) =>
      rewriteEntryColumns(db, (list) => {
        const links = new ByteWriter();
        links.chunk(Uint8Array.from([0x72, 0xff, 0x61]));
        list.columns[ENTRY_COLUMNS.links] = links.finish();
      }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'entry list with bytes left over',
    craft: (db) => rewriteEntryColumns(db, (list) => (list.columns[ENTRY_COLUMNS.links] = Buffer.concat([list.columns[ENTRY_COLUMNS.links]!, Buffer.from([1, 0x41])]))),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'entry list of an unknown layout version',
    craft: (db) => rewriteEntryColumns(db, (list) => (list.version = 9)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });

  // Names that escape or collide.
  for (const p of ['../evil.txt', '../../evil.txt', 'tree/../../evil.txt', '/ABS', 'C:/evil.txt', 'a\\..\\..\\evil.txt', 'tree//x', './x', 'a/./b', '', 'nul\0byte']) {
    add({
      name: `unsafe path ${JSON.stringify(p)}`,
      craft: (db, ctx) => {
        if (!p.includes('\0')) return addEntry(db, { path: p === '/ABS' ? ctx.absoluteProbe : p }, text);
        // No encoder writes a 0 byte in a name (layout 2 ends each name with one), so the bytes go in by hand.
        addEntry(db, { path: p.replace('\0', '_') }, text);
        setNameBytes(db, readEntries(db).length - 1, Buffer.from(p));
      },
      expect: { refuse: [...UNSAFE] },
      verifyFinds: true,
    });
  }
  add({
    name: 'an existing name renamed to ../escaped.txt',
    craft: (db) => rewriteEntries(db, (entries) => void (entryOf(entries, binary).path = '../escaped.txt')),
    expect: { refuse: [...UNSAFE] },
    verifyFinds: true,
  });
  add({
    name: 'duplicate path with different content',
    craft: (db) => addEntry(db, { path: text }, binary),
    expect: { refuse: ['damaged', 'unsafe-path', 'exists'] },
    verifyFinds: true,
  });
  add({
    name: 'duplicate path, same content',
    craft: (db) => addEntry(db, { path: binary }, binary),
    expect: { refuse: ['damaged', 'unsafe-path', 'exists'] },
    verifyFinds: true,
  });
  add({
    name: 'a file under a file',
    craft: (db) => addEntry(db, { path: `${text}/inner.txt` }, binary),
    expect: { refuse: ['damaged', 'unsafe-path', 'exists', 'io'] },
    verifyFinds: true,
  });
  add({
    name: "a file under the archive's own link",
    craft: (db) => addEntry(db, { path: 'tree/link/inner.txt' }, binary),
    expect: { refuse: [...UNSAFE, 'exists'] },
    verifyFinds: true,
  });
  add({
    name: 'symlink ../outside, then a file through it',
    craft: (db) => {
      addEntry(db, { path: 'zz-link', type: 'symlink', linkTarget: '../outside' });
      addEntry(db, { path: 'zz-link/pwned.txt' }, text);
    },
    expect: { refuse: [...UNSAFE] },
    verifyFinds: true,
  });
  add({
    name: 'symlink to an absolute folder, then a file through it',
    craft: (db, ctx) => {
      addEntry(db, { path: 'tree/zz-link', type: 'symlink', linkTarget: ctx.outsideDir });
      addEntry(db, { path: 'tree/zz-link/pwned.txt' }, text);
    },
    expect: { refuse: [...UNSAFE] },
    verifyFinds: true,
  });
  add({
    name: 'file listed before the symlink of the same folder name',
    craft: (db, ctx) =>
      rewriteEntries(db, (entries) => {
        const model = entryOf(entries, text);
        entries.push({ ...model, path: 'tree/zz/pwned.txt' }, { path: 'tree/zz', type: 'symlink', mode: 0o777, mtimeMs: 0, size: 0, contentId: null, linkTarget: ctx.outsideDir });
      }),
    expect: { refuse: [...UNSAFE, 'exists'] },
    verifyFinds: true,
  });
  add({
    name: 'link chain: a -> b, b -> .. (each judged alone looks harmless)',
    craft: (db) => {
      addEntry(db, { path: 'tree/sub/b', type: 'symlink', linkTarget: '..' });
      addEntry(db, { path: 'tree/sub/a', type: 'symlink', linkTarget: 'b/..' });
      addEntry(db, { path: 'tree/sub/a/pwned.txt' }, text);
    },
    expect: { refuse: [...UNSAFE, 'exists'] },
    verifyFinds: true,
  });
  add({
    name: 'the archive link retargeted to ../../outside/secret.txt',
    craft: (db) => rewriteEntries(db, (entries) => void (entryOf(entries, 'tree/link').linkTarget = '../../outside/secret.txt')),
    expect: { refuse: [...UNSAFE] },
    verifyFinds: true,
  });
  add({
    name: 'symlink with an absolute target',
    craft: (db) => addEntry(db, { path: 'tree/abs-link', type: 'symlink', linkTarget: '/etc/passwd' }),
    expect: { refuse: [...UNSAFE] },
    verifyFinds: true,
  });
  add({
    name: 'symlink with an empty target',
    craft: (db) => addEntry(db, { path: 'tree/no-target', type: 'symlink', linkTarget: '' }),
    expect: { refuse: [...UNSAFE] },
    verifyFinds: true,
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

  // The catalog's blocks themselves.
  add({
    name: 'two entry lists',
    craft: (db) => {
      const raw = decodedBlock(db, catalogBlockId(db, 'entries'));
      insertBlock(db, { role: 'entries', codec: 'store', rawSize: raw.length, rawSha256: sha256(raw), payload: raw });
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'two content lists',
    craft: (db) => {
      const raw = decodedBlock(db, catalogBlockId(db, 'contents'));
      insertBlock(db, { role: 'contents', codec: 'store', rawSize: raw.length, rawSha256: sha256(raw), payload: raw, id: 0x7fffffff });
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'no content list',
    craft: (db) => db.prepare("DELETE FROM block WHERE role = 'contents'").run(),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'no entry list',
    craft: (db) => db.prepare("DELETE FROM block WHERE role = 'entries'").run(),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'entry list and content list roles swapped',
    craft: (db) => {
      const entries = catalogBlockId(db, 'entries');
      const contents = catalogBlockId(db, 'contents');
      db.prepare("UPDATE block SET role = 'contents' WHERE id = ?").run(entries);
      db.prepare("UPDATE block SET role = 'entries' WHERE id = ?").run(contents);
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a block of an unknown role',
    craft: (db) => insertBlock(db, { role: 'index', codec: 'store', rawSize: 4, rawSha256: sha256(Buffer.from('abcd')), payload: Buffer.from('abcd') }),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a data block relabelled as the entry list (three catalog blocks)',
    craft: (db) => db.prepare("UPDATE block SET role = 'entries' WHERE id = ?").run(firstBlockOf(db, binary)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  for (const role of ['entries', 'contents'] as const) {
    const what = role === 'entries' ? 'entry list' : 'content list';
    add({
      name: `${what} coded with 'cm'`,
      craft: (db) => db.prepare("UPDATE block SET codec = 'cm' WHERE id = ?").run(catalogBlockId(db, role)),
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
    add({
      name: `${what} stored, labelled brotli`,
      craft: (db) => {
        const id = catalogBlockId(db, role);
        storeBlock(db, id, decodedBlock(db, id), 'store');
        db.prepare("UPDATE block SET codec = 'brotli' WHERE id = ?").run(id);
      },
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
    add({
      name: `${what} raw_size one larger`,
      craft: (db) => db.prepare('UPDATE block SET raw_size = raw_size + 1 WHERE id = ?').run(catalogBlockId(db, role)),
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
    add({
      name: `${what} raw_size one smaller`,
      craft: (db) => db.prepare('UPDATE block SET raw_size = raw_size - 1 WHERE id = ?').run(catalogBlockId(db, role)),
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
    add({
      name: `${what} raw_sha256 wrong`,
      craft: (db) => {
        const id = catalogBlockId(db, role);
        const { raw_sha256: hash } = db.prepare('SELECT raw_sha256 FROM block WHERE id = ?').get(id) as { raw_sha256: Buffer };
        hash[31]! ^= 1;
        db.prepare('UPDATE block SET raw_sha256 = ? WHERE id = ?').run(hash, id);
      },
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
    add({
      name: `${what} payload_crc32 wrong`,
      craft: (db) => db.prepare('UPDATE block SET payload_crc32 = (payload_crc32 + 1) % 4294967296 WHERE id = ?').run(catalogBlockId(db, role)),
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
    add({
      name: `${what} payload replaced, payload_crc32 made right (hash no longer matches)`,
      craft: (db) => {
        const id = catalogBlockId(db, role);
        const { payload } = db.prepare('SELECT payload FROM block WHERE id = ?').get(id) as { payload: Buffer };
        payload[payload.length - 1]! ^= 0x10;
        db.prepare('UPDATE block SET payload = ?, payload_crc32 = ? WHERE id = ?').run(payload, crc32(payload), id);
      },
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
  }
  add({
    // 16 MiB, not the 64 MiB a block may claim: the reader must decode it to judge it, and three runs of 64 MiB
    // (extract, list, verify) cost 15 s here. The data-block bombs below claim the full 64 MiB.
    name: 'catalog block claiming 16 MiB from a tiny payload (brotli bomb)',
    craft: (db) => {
      const id = catalogBlockId(db, 'entries');
      const zeros = Buffer.alloc(16 * 1024 * 1024);
      const payload = zlib.brotliCompressSync(zeros);
      db.prepare("UPDATE block SET codec = 'brotli', raw_size = ?, raw_sha256 = ?, payload_crc32 = ?, payload = ? WHERE id = ?").run(
        zeros.length,
        sha256(zeros),
        crc32(payload),
        payload,
        id,
      );
    },
    // Zeros are no entry list (layout version 0): refused after decoding, within the block size limit.
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });

  // Data block rows.
  add({
    name: "a brotli data block's codec relabelled 'store'",
    craft: (db) => db.prepare("UPDATE block SET codec = 'store' WHERE id = ?").run(firstBlockOf(db, text)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: "a stored data block's codec relabelled 'brotli'",
    craft: (db) => db.prepare("UPDATE block SET codec = 'brotli' WHERE id = ?").run(firstDataBlockWhere(db, 'store')),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: "a data block's codec relabelled 'cm'",
    craft: (db) => db.prepare("UPDATE block SET codec = 'cm' WHERE id = ?").run(firstBlockOf(db, text)),
    expect: { refuse: ['damaged', 'missing-model'] },
    verifyFinds: true,
  });
  add({
    name: "a data block's codec relabelled 'neural' (a model this build lacks named in the header)",
    craft: (db) => {
      db.prepare("UPDATE header SET value = ? WHERE key = 'models'").run(JSON.stringify([{ name: 'octo-mlp-v999', sha256: 'ab'.repeat(32) }]));
      db.prepare("UPDATE block SET codec = 'neural' WHERE id = ?").run(firstBlockOf(db, text));
    },
    expect: { refuse: ['missing-model', 'damaged'] },
    verifyFinds: true,
  });
  add({
    name: 'a data block of an unknown codec',
    craft: (db) => db.prepare("UPDATE block SET codec = 'lzma-9000' WHERE id = ?").run(firstBlockOf(db, binary)),
    expect: { refuse: ['damaged', 'missing-model'] },
    verifyFinds: true,
  });
  add({
    name: 'a data block raw_sha256 wrong (a block used to its end)',
    craft: (db) => {
      const id = firstBlockOf(db, text);
      const { raw_sha256: hash } = db.prepare('SELECT raw_sha256 FROM block WHERE id = ?').get(id) as { raw_sha256: Buffer };
      hash[0]! ^= 0x80;
      db.prepare('UPDATE block SET raw_sha256 = ? WHERE id = ?').run(hash, id);
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a data block raw_sha256 of the wrong length',
    craft: (db) => db.prepare('UPDATE block SET raw_sha256 = zeroblob(31) WHERE id = ?').run(firstBlockOf(db, binary)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a data block payload_crc32 wrong',
    craft: (db) => db.prepare('UPDATE block SET payload_crc32 = (payload_crc32 + 1) % 4294967296 WHERE id = ?').run(firstBlockOf(db, binary)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a stored data block with one byte changed, payload_crc32 and raw_sha256 made right',
    craft: (db) => {
      const id = firstDataBlockWhere(db, 'store');
      const raw = Buffer.from(decodedBlock(db, id));
      raw[500]! ^= 1;
      storeBlock(db, id, raw, 'store');
    },
    // Only the file's own CRC-32 in the content list can tell now.
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'a data block raw_size larger than it decodes to',
    craft: (db) => db.prepare('UPDATE block SET raw_size = raw_size + 512 WHERE id = ?').run(firstBlockOf(db, text)),
    // Extraction decodes only up to the last wanted byte, which the block holds: right bytes are fine. Verify
    // decodes whole blocks and must find it.
    expect: 'either',
    verifyFinds: true,
  });
  add({
    name: 'a data block raw_size smaller than its slices',
    craft: (db) => db.prepare('UPDATE block SET raw_size = raw_size - 1 WHERE id = ?').run(firstBlockOf(db, text)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  for (const size of [0, -1, 2.5, "'abc'", 64 * 1024 * 1024 + 1, 2 ** 53]) {
    add({
      name: `a data block raw_size of ${size}`,
      craft: (db) => db.prepare(`UPDATE block SET raw_size = ${size} WHERE id = ?`).run(firstBlockOf(db, binary)),
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
  }
  add({
    name: 'a data block payload stored as TEXT',
    craft: (db) => db.prepare("UPDATE block SET payload = 'text' WHERE id = ?").run(firstBlockOf(db, binary)),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  for (const id of [0, -5]) {
    add({
      name: `a data block with id ${id}`,
      craft: (db) => {
        const old = firstBlockOf(db, binary);
        db.prepare('UPDATE block SET id = ? WHERE id = ?').run(id, old);
        rewriteContents(db, (contents) => {
          for (const c of contents) for (const s of c.slices) if (s.blockId === old) s.blockId = id;
        });
      },
      expect: { refuse: [...DAMAGE_ONLY] },
      verifyFinds: true,
    });
  }
  add({
    name: 'a data block deleted',
    craft: (db) => db.prepare('DELETE FROM block WHERE id = ?').run(readContents(db)[contentOf(db, spanning)]!.slices[1]!.blockId),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({
    name: 'two data blocks swapped (rows moved, checksums along)',
    craft: (db) => {
      const [a, b] = readContents(db)[contentOf(db, binary)]!.slices.map((s) => s.blockId);
      db.prepare('UPDATE block SET id = -1 WHERE id = ?').run(a);
      db.prepare('UPDATE block SET id = ? WHERE id = ?').run(a, b);
      db.prepare('UPDATE block SET id = ? WHERE id = -1').run(b);
    },
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });

  // Bombs.
  add({
    name: 'bomb: a data block claiming 64 MiB from a 20-byte payload',
    craft: (db) => {
      const payload = zeroBombPayload().subarray(0, 20);
      addBlockFile(db, 'tree/bomb.bin', { payload, codec: 'brotli', rawSize: 64 * 1024 * 1024, rawSha256: sha256(Buffer.alloc(64 * 1024 * 1024)) }, 1, 0);
    },
    expect: { refuse: ['limit-exceeded', 'damaged'] },
    verifyFinds: true,
  });
  add({
    name: 'bomb: 96 GiB of zeros declared in 1536 real 64 MiB blocks',
    craft: (db) => {
      const zeros64 = Buffer.alloc(64 * 1024 * 1024);
      addBlockFile(db, 'tree/bomb.bin', { payload: zeroBombPayload(), codec: 'brotli', rawSize: zeros64.length, rawSha256: sha256(zeros64) }, 1536, 0);
    },
    expect: { refuse: ['limit-exceeded'] },
    verifyFinds: true,
  });

  // Versions and the header.
  const newer = FORMAT_VERSION + 1;
  add({ name: `newer user_version (${newer})`, craft: (db) => db.pragma(`user_version = ${newer}`), expect: { refuse: ['unsupported-version'] }, verifyFinds: true });
  add({
    name: `newer header format_version (${newer}), user_version as it was`,
    craft: (db) => db.exec(`UPDATE header SET value = '${newer}' WHERE key = 'format_version'`),
    expect: { refuse: ['unsupported-version'] },
    verifyFinds: true,
  });
  add({
    name: 'header format_version 1, user_version as it was',
    craft: (db) => db.exec("UPDATE header SET value = '1' WHERE key = 'format_version'"),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({ name: 'user_version 1, header format_version as it was', craft: (db) => db.pragma('user_version = 1'), expect: { refuse: [...DAMAGE_ONLY] }, verifyFinds: true });
  add({
    name: 'a solid-format file labelled format 1 in both places',
    craft: (db) => {
      db.pragma('user_version = 1');
      db.exec("UPDATE header SET value = '1' WHERE key = 'format_version'");
    },
    expect: { refuse: ['damaged', 'not-an-archive'] },
    verifyFinds: true,
  });
  add({ name: 'user_version 0', craft: (db) => db.pragma('user_version = 0'), expect: { refuse: ['not-an-archive', 'damaged'] }, verifyFinds: true });
  add({
    name: 'format_version of the wrong type',
    craft: (db) => db.exec(`UPDATE header SET value = '"2"' WHERE key = 'format_version'`),
    expect: { refuse: ['damaged', 'unsupported-version'] },
    verifyFinds: true,
  });
  add({
    name: 'block_bytes negative',
    craft: (db) => db.exec("UPDATE header SET value = '-1024' WHERE key = 'block_bytes'"),
    expect: { refuse: [...DAMAGE_ONLY] },
    verifyFinds: true,
  });
  add({ name: 'block table missing', craft: (db) => db.exec('DROP TABLE block'), expect: { refuse: ['damaged', 'not-an-archive'] }, verifyFinds: true });
  add({
    name: 'block table without its payload column',
    craft: (db) => db.exec('ALTER TABLE block DROP COLUMN payload'),
    expect: { refuse: ['damaged', 'not-an-archive'] },
    verifyFinds: true,
  });
  add({ name: 'foreign application_id', craft: (db) => db.pragma('application_id = 1234'), expect: { refuse: ['not-an-archive'] }, verifyFinds: true });

  // Metadata that must be sanitized rather than refused.
  add({
    name: 'set-user-ID and sticky bits, far-future and pre-1970 mtimes',
    craft: (db) =>
      rewriteEntries(db, (entries) => {
        entryOf(entries, text).mode = 0o7777;
        entryOf(entries, text).mtimeMs = 253402300799000;
        entryOf(entries, binary).mtimeMs = -86_400_000 * 365;
      }),
    expect: 'either',
  });
  add({
    name: 'an unused content and an unused data block',
    craft: (db) => {
      const raw = Buffer.from('nobody points here');
      const id = insertBlock(db, { role: 'data', codec: 'store', rawSize: raw.length, rawSha256: sha256(raw), payload: raw });
      rewriteContents(db, (contents) => void contents.push({ id: contents.length, size: raw.length, crc32: crc32(raw), slices: [{ blockId: id, offset: 0, length: raw.length }] }));
    },
    expect: 'either',
  });
  return cases;
}

/**
 * Cases for the encrypted base (every block sealed, names too): an attacker without the key can move, drop,
 * relabel or replace blocks and header rows, with every plain checksum right, but the header MAC covers them all.
 */
export function hostileSealedCases(): HostileCase[] {
  const sealedData = (db: Database.Database) => blockRows(db).filter((b) => b.role === 'data').map((b) => b.id);
  const editEncryption = (db: Database.Database, edit: (record: Record<string, unknown>) => void) => {
    const { value } = db.prepare("SELECT value FROM header WHERE key = 'encryption'").get() as { value: string };
    const record = JSON.parse(value) as Record<string, unknown>;
    edit(record);
    db.prepare("UPDATE header SET value = ? WHERE key = 'encryption'").run(JSON.stringify(record));
  };
  const cases: HostileCase[] = [
    { name: 'header MAC removed', craft: (db) => db.exec("DELETE FROM header WHERE key = 'header_mac'"), expect: { refuse: ['damaged'] }, verifyFinds: true },
    {
      name: 'names-encrypted flag cleared in the header',
      craft: (db) => editEncryption(db, (r) => (r.namesEncrypted = false)),
      expect: { refuse: ['damaged'] },
      verifyFinds: true,
    },
    {
      name: 'KDF weakened (logN 10) in the header',
      craft: (db) => editEncryption(db, (r) => ((r.kdf as Record<string, unknown>).logN = 10)),
      expect: { refuse: ['damaged', 'wrong-password'] },
      verifyFinds: true,
    },
    {
      name: 'hostile KDF parameters (logN 40, r 1024, p 64)',
      craft: (db) => editEncryption(db, (r) => (r.kdf = { ...(r.kdf as object), logN: 40, r: 1024, p: 64 })),
      expect: { refuse: ['damaged', 'wrong-password', 'password-required'] },
      verifyFinds: true,
    },
    {
      name: 'entry list replaced by a plain, unsealed one with every checksum right',
      craft: (db) =>
        storeBlock(
          db,
          catalogBlockId(db, 'entries'),
          encodeEntryList([
            { path: 'tree', type: 'directory', mode: 0o755, mtimeMs: 0, size: 0, contentId: null, linkTarget: null },
            { path: 'tree/readme.txt', type: 'file', mode: 0o644, mtimeMs: 0, size: 3080, contentId: 1, linkTarget: null },
          ], catalogLayout(FORMAT_VERSION)),
        ),
      expect: { refuse: ['damaged'] },
      verifyFinds: true,
    },
    {
      name: 'two sealed data blocks swapped',
      craft: (db) => {
        const [a, b] = sealedData(db);
        db.prepare('UPDATE block SET id = -1 WHERE id = ?').run(a);
        db.prepare('UPDATE block SET id = ? WHERE id = ?').run(a, b);
        db.prepare('UPDATE block SET id = ? WHERE id = -1').run(b);
      },
      expect: { refuse: ['damaged'] },
      verifyFinds: true,
    },
    {
      name: 'a sealed data block relabelled store -> brotli',
      craft: (db) => db.prepare("UPDATE block SET codec = 'brotli' WHERE id = ?").run(blockRows(db).find((b) => b.role === 'data' && b.codec === 'store')!.id),
      expect: { refuse: ['damaged'] },
      verifyFinds: true,
    },
    {
      name: 'a sealed data block deleted',
      craft: (db) => db.prepare('DELETE FROM block WHERE id = ?').run(sealedData(db)[1]),
      expect: { refuse: ['damaged'] },
      verifyFinds: true,
    },
    {
      name: 'a sealed data block copied over another (payload and row fields)',
      craft: (db) => {
        const [a, b] = sealedData(db);
        db.prepare(
          `UPDATE block SET (role, codec, raw_size, raw_sha256, payload_crc32, payload) =
             (SELECT role, codec, raw_size, raw_sha256, payload_crc32, payload FROM block WHERE id = ?) WHERE id = ?`,
        ).run(a, b);
      },
      expect: { refuse: ['damaged'] },
      verifyFinds: true,
    },
  ];
  return cases;
}
