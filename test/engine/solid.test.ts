// Solid archives on real files: a mixed tree across block borders, the same archive whatever the thread count,
// one file out of the middle of a block, and add / delete / compact in plain archives and encrypted ones (names
// visible and hidden). Small blocks (createArchiveWithSettings) make files span blocks cheaply.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToArchive,
  archiveInfo,
  compactArchive,
  deleteFromArchive,
  extractArchive,
  listArchive,
  verifyArchive,
} from '../../electron/engine/index.ts';
import { ArchiveReader } from '../../electron/engine/format/reader.ts';
import { FORMAT_VERSION } from '../../electron/engine/format/schema.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { PRESETS, type PresetSettings } from '../../electron/engine/presets.ts';
import { blockRows, blocksOfEntry, headerRows, storedDataBlocks } from '../helpers/blocks.ts';
import { snapshot, tempDir, writeTree, type TreeNode } from '../helpers/tree.ts';

const BLOCK = 4096;
const SMALL_BLOCKS: PresetSettings = { ...PRESETS.fast, blockBytes: BLOCK };

/** Deterministic English-like text. */
function prose(bytes: number, seed: number): Buffer {
  const words = 'the archive keeps every byte of each file while a model predicts the next one and a coder writes bits'.split(' ');
  let x = seed;
  const out: string[] = [];
  let length = 0;
  while (length < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    const word = words[(x >>> 16) % words.length]!;
    out.push(word);
    length += word.length + 1;
  }
  return Buffer.from(out.join(' ')).subarray(0, bytes);
}

/** Deterministic bytes with zeros in them (a 'binary' kind file). */
function binary(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 7 === 0 ? 0 : x >>> 24;
  }
  return b;
}

const T = 1_600_000_000_000;
const file = (name: string, bytes: Buffer, mode = 0o644, mtimeMs = T): TreeNode => ({ kind: 'file', name, bytes, mode, mtimeMs });
const dir = (name: string, children: TreeNode[], mode = 0o755): TreeNode => ({ kind: 'dir', name, children, mode, mtimeMs: T + 5000 });

/** Tiny, empty, duplicate, large (many blocks), binary and already compressed files, with links and odd modes. */
function mixedTree(): TreeNode[] {
  const twin = prose(3000, 7);
  return [
    dir('notes', Array.from({ length: 24 }, (_, i) => file(`n${String(i).padStart(2, '0')}.txt`, prose(1 + ((i * 397) % 900), i), i % 3 === 0 ? 0o600 : 0o644, T + i * 1000))),
    dir('empty-dir', [], 0o700),
    file('empty.txt', Buffer.alloc(0)),
    dir('code', [file('a.c', twin), file('b.c', twin, 0o755), file('main.ts', prose(2500, 3))]),
    dir('big', [file('large.txt', prose(40_000, 11), 0o640, T - 86_400_000)]),
    dir('bin', [file('data.bin', binary(5000, 5)), file('tiny.bin', binary(3, 1))]),
    file('logs.gz', zlib.gzipSync(prose(20_000, 13))),
    { kind: 'link', name: 'latest', target: 'big/large.txt', mtimeMs: T },
    { kind: 'link', name: 'code-link', target: 'code', mtimeMs: T },
  ];
}

let sandbox: string;
let cleanup: () => void;
beforeAll(() => ({ dir: sandbox, cleanup } = tempDir('octozip-solid-')));
afterAll(() => cleanup());

let counter = 0;
function scratch(name: string): string {
  const p = path.join(sandbox, `${name}-${counter++}`);
  fs.mkdirSync(p);
  return p;
}

/** Per data block: the entry paths whose bytes lie in it. */
async function pathsByBlock(archivePath: string, password?: string): Promise<Map<number, string[]>> {
  const reader = ArchiveReader.open(archivePath);
  try {
    await reader.unlock(password);
    const contents = reader.contents();
    const out = new Map<number, string[]>();
    for (const e of reader.entries()) {
      if (e.contentId === null) continue;
      for (const s of contents.get(e.contentId)!.slices) out.set(s.blockId, [...(out.get(s.blockId) ?? []), e.path]);
    }
    return out;
  } finally {
    reader.close();
  }
}

const dataRawBytes = (archivePath: string) => blockRows(archivePath, 'data').reduce((sum, b) => sum + b.rawSize, 0);

describe('solid round trips', () => {
  it('a mixed tree comes back exactly, across block borders, with modes, times and links', async () => {
    const root = scratch('mixed');
    const src = writeTree(path.join(root, 'src'), mixedTree());
    const archivePath = path.join(root, 'a.octz');
    const summary = await createArchiveWithSettings({ archivePath, inputs: ['.'], cwd: src }, SMALL_BLOCKS);
    const expected = snapshot(src);
    expect(summary.entries).toBe(expected.size);

    // The layout is what the test means to exercise.
    const byBlock = await pathsByBlock(archivePath);
    expect((await blocksOfEntry(archivePath, 'big/large.txt')).length).toBeGreaterThanOrEqual(10);
    expect([...byBlock.values()].some((paths) => new Set(paths).size >= 3), 'a block holds several files').toBe(true);
    const reader = ArchiveReader.open(archivePath);
    const crossing = reader
      .entries()
      .filter((e) => e.contentId !== null && e.size < BLOCK && reader.contents().get(e.contentId)!.slices.length === 2);
    reader.close();
    expect(crossing.length, 'a small file straddles a block border').toBeGreaterThan(0);
    // Kinds never share a block: the gzip file and the binary files sit in blocks of their own, the gzip stored.
    const rows = new Map(blockRows(archivePath, 'data').map((b) => [b.id, b]));
    for (const id of await blocksOfEntry(archivePath, 'logs.gz')) {
      expect(byBlock.get(id)).toEqual(['logs.gz']);
      expect(rows.get(id)!.codec).toBe('store');
    }
    for (const id of await blocksOfEntry(archivePath, 'bin/data.bin')) expect(byBlock.get(id)!.every((p) => p.startsWith('bin/'))).toBe(true);
    // The twins are stored once.
    expect(await blocksOfEntry(archivePath, 'code/b.c')).toEqual(await blocksOfEntry(archivePath, 'code/a.c'));
    const unique = [...expected.entries()].filter(([p, e]) => e.type === 'file' && p !== 'code/b.c');
    expect(dataRawBytes(archivePath)).toBe(unique.reduce((sum, [p]) => sum + fs.statSync(path.join(src, p)).size, 0));

    const report = await verifyArchive({ archivePath });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const out = path.join(root, 'out');
    await extractArchive({ archivePath, destDir: out });
    expect(snapshot(out)).toEqual(expected);
  });

  it('the archive is the same with 1 and 2 threads (blocks, catalog and header, all but the creation time)', async () => {
    const root = scratch('threads');
    const src = writeTree(path.join(root, 'src'), mixedTree());
    // Context mixing codes blocks on worker threads: the codec where a thread count could matter.
    const settings: PresetSettings = { ...PRESETS.balanced, blockBytes: 8192 };
    const made: string[] = [];
    for (const threads of [1, 2]) {
      const archivePath = path.join(root, `t${threads}.octz`);
      const summary = await createArchiveWithSettings({ archivePath, inputs: ['.'], cwd: src, threads }, settings);
      expect(summary.rawBytesByCodec.cm ?? 0, 'cm won blocks').toBeGreaterThan(0);
      made.push(archivePath);
    }
    const [one, two] = made as [string, string];
    expect(blockRows(two)).toEqual(blockRows(one));
    const { created_at: _a, ...headerOne } = headerRows(one);
    const { created_at: _b, ...headerTwo } = headerRows(two);
    expect(headerTwo).toEqual(headerOne);
    expect(blockRows(one, 'data').length).toBeGreaterThan(4);
  });

  it('one file from the middle of a block: exactly its bytes, and nothing else written', async () => {
    const root = scratch('one');
    writeTree(path.join(root, 'src'), mixedTree());
    const archivePath = path.join(root, 'a.octz');
    await createArchiveWithSettings({ archivePath, inputs: ['src'], cwd: root }, SMALL_BLOCKS);
    const byBlock = await pathsByBlock(archivePath);
    // A notes file with other files before and after it in its block.
    const target = [...byBlock.values()]
      .filter((paths) => paths.length >= 3)
      .map((paths) => paths[1]!)
      .find((p) => p.startsWith('src/notes/'))!;
    expect(target).toBeDefined();
    const out = path.join(root, 'out');
    const summary = await extractArchive({ archivePath, destDir: out, entries: [target] });
    expect(summary.written).toBe(1);
    const written = fs.readdirSync(out, { recursive: true }).map(String).sort();
    expect(written).toEqual(['src', 'src/notes', target].map((p) => p.split('/').join(path.sep)));
    expect(fs.readFileSync(path.join(out, target))).toEqual(fs.readFileSync(path.join(root, target)));
    const st = fs.statSync(path.join(out, target));
    const original = fs.statSync(path.join(root, target));
    expect(st.mode & 0o777).toBe(original.mode & 0o777);
    expect(Math.floor(st.mtimeMs)).toBe(Math.floor(original.mtimeMs));
  });
});

const MODES = [
  { label: 'plain', password: undefined, encryptNames: false },
  { label: 'encrypted, names visible', password: 'solid pw', encryptNames: false },
  { label: 'encrypted, names hidden', password: 'solid pw', encryptNames: true },
] as const;

for (const mode of MODES) {
  describe(`add, delete and compact: ${mode.label}`, () => {
    const { password } = mode;
    let root: string;
    let archivePath: string;
    const source = (rel: string) => fs.readFileSync(path.join(root, rel));

    beforeAll(async () => {
      root = scratch(`edit-${mode.label.replace(/\W+/g, '-')}`);
      writeTree(path.join(root, 'base'), [
        file('a.txt', prose(3000, 21)),
        file('b.txt', prose(3000, 22)),
        // Named so it follows a.txt and b.txt: it starts in the block b.txt ends in, then runs on alone.
        file('big.txt', prose(12_000, 23)),
        file('c.bin', binary(3000, 24)),
      ]);
      writeTree(path.join(root, 'more'), [file('new.txt', prose(2000, 25)), file('copy-of-c.bin', binary(3000, 24))]);
      archivePath = path.join(root, 'a.octz');
      await createArchiveWithSettings({ archivePath, inputs: ['base'], cwd: root, password, encryptNames: mode.encryptNames }, SMALL_BLOCKS);
    });

    async function expectExtractsExactly(paths: string[]): Promise<void> {
      const out = path.join(root, `out-${counter++}`);
      await extractArchive({ archivePath, destDir: out, password });
      const files = fs.readdirSync(out, { recursive: true }).map(String).filter((p) => fs.lstatSync(path.join(out, p)).isFile());
      expect(files.sort()).toEqual(paths.map((p) => p.split('/').join(path.sep)).sort());
      for (const p of paths) expect(fs.readFileSync(path.join(out, p)).equals(source(p)), p).toBe(true);
      const report = await verifyArchive({ archivePath, password });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    }

    it('add: new files go into new blocks, stored blocks stay byte-identical, a duplicate is not stored again', async () => {
      const before = storedDataBlocks(archivePath);
      const rawBefore = dataRawBytes(archivePath);
      const summary = await addToArchive({ archivePath, inputs: ['more'], cwd: root, password });
      expect(summary).toMatchObject({ added: 3, replaced: 0, reusedContents: 1 });
      const after = storedDataBlocks(archivePath);
      for (const [id, row] of before) expect(after.get(id), `block ${id} was rewritten`).toBe(row);
      const added = [...after.keys()].filter((id) => !before.has(id));
      expect(added.length).toBeGreaterThan(0);
      expect(Math.min(...added)).toBeGreaterThan(Math.max(...before.keys()));
      expect(await blocksOfEntry(archivePath, 'more/new.txt', password)).toEqual(expect.arrayContaining([expect.any(Number)]));
      for (const id of await blocksOfEntry(archivePath, 'more/new.txt', password)) expect(added).toContain(id);
      // The copy points at the bytes already stored, and they were not copied in a second time.
      expect(await blocksOfEntry(archivePath, 'more/copy-of-c.bin', password)).toEqual(await blocksOfEntry(archivePath, 'base/c.bin', password));
      expect(dataRawBytes(archivePath)).toBe(rawBefore + 2000);
      await expectExtractsExactly(['base/a.txt', 'base/b.txt', 'base/big.txt', 'base/c.bin', 'more/new.txt', 'more/copy-of-c.bin']);
    });

    it('delete: entries go, blocks nobody uses go, a partly dead block stays as it was', async () => {
      const before = storedDataBlocks(archivePath);
      const bigBlocks = await blocksOfEntry(archivePath, 'base/big.txt', password);
      const [shared] = await blocksOfEntry(archivePath, 'base/b.txt', password).then((ids) => ids.filter((id) => bigBlocks.includes(id)));
      expect(shared, 'big.txt starts in the block b.txt ends in').toBeDefined();
      const summary = await deleteFromArchive({ archivePath, entries: ['base/big.txt'], password });
      expect(summary).toMatchObject({ deleted: 1, freedContents: 1 });
      const after = storedDataBlocks(archivePath);
      expect([...after.keys()].sort()).toEqual([...before.keys()].filter((id) => id === shared || !bigBlocks.includes(id)).sort());
      for (const [id, row] of after) expect(row, `block ${id} was rewritten`).toBe(before.get(id));
      const listing = await listArchive(archivePath, { password });
      expect(listing.entries.map((e) => e.path)).not.toContain('base/big.txt');
      await expectExtractsExactly(['base/a.txt', 'base/b.txt', 'base/c.bin', 'more/new.txt', 'more/copy-of-c.bin']);
    });

    it('compact: dead bytes reclaimed, everything still lists, verifies and extracts, encrypted as before', async () => {
      // Deleting c.bin leaves its block to the copy; deleting b.txt leaves a.txt's block partly dead.
      await deleteFromArchive({ archivePath, entries: ['base/c.bin', 'base/b.txt'], password });
      const listed = (await listArchive(archivePath, { password })).entries.map(({ packedSize: _p, codec: _c, ...e }) => e);
      const live = ['base/a.txt', 'more/new.txt', 'more/copy-of-c.bin'];
      const liveBytes = live.reduce((sum, p) => sum + source(p).length, 0);
      expect(dataRawBytes(archivePath)).toBeGreaterThan(liveBytes);
      const bytesBefore = fs.statSync(archivePath).size;
      const payloadBefore = blockRows(archivePath, 'data').reduce((sum, b) => sum + b.payloadBytes, 0);
      const summary = await compactArchive({ archivePath, password });
      expect(summary.bytesBefore).toBe(bytesBefore);
      expect(summary.archiveBytes).toBe(fs.statSync(archivePath).size);
      expect(summary.archiveBytes).toBeLessThanOrEqual(bytesBefore);
      expect(dataRawBytes(archivePath)).toBe(liveBytes);
      expect(blockRows(archivePath, 'data').reduce((sum, b) => sum + b.payloadBytes, 0)).toBeLessThan(payloadBefore);
      expect((await listArchive(archivePath, { password })).entries.map(({ packedSize: _p, codec: _c, ...e }) => e)).toEqual(listed);
      const info = await archiveInfo(archivePath);
      expect(info).toMatchObject({ formatVersion: FORMAT_VERSION, encrypted: password !== undefined, namesEncrypted: mode.encryptNames });
      if (mode.encryptNames) await expect(listArchive(archivePath)).rejects.toMatchObject({ code: 'password-required' });
      await expectExtractsExactly(live);
    });
  });
}

// ENGINE BUG, reported to the lead: add stages its inputs as solid blocks, then copies every staged block holding
// any new byte, so a duplicate that shares a staged block with a new file of its kind is stored a second time
// (as dead bytes) although reusedContents counts it as reused. Remove `.fails` once add.ts leaves those bytes out.
it('add does not store a duplicate again even when a new file of its kind is added with it', async () => {
  const root = scratch('dup-kind');
  writeTree(path.join(root, 'base'), [file('a.txt', prose(4000, 31))]);
  writeTree(path.join(root, 'more'), [file('new.txt', prose(2000, 32)), file('copy-of-a.txt', prose(4000, 31))]);
  const archivePath = path.join(root, 'a.octz');
  await createArchiveWithSettings({ archivePath, inputs: ['base'], cwd: root }, PRESETS.fast);
  const summary = await addToArchive({ archivePath, inputs: ['more'], cwd: root });
  expect(summary.reusedContents).toBe(1);
  const sizeOf = (rel: string) => fs.statSync(path.join(root, rel)).size;
  expect(dataRawBytes(archivePath)).toBe(sizeOf('base/a.txt') + sizeOf('more/new.txt'));
});

it('compact of an archive with nothing dead copies every block as it is', async () => {
  const root = scratch('compact-noop');
  const src = writeTree(path.join(root, 'src'), mixedTree());
  const archivePath = path.join(root, 'a.octz');
  await createArchiveWithSettings({ archivePath, inputs: ['.'], cwd: src }, SMALL_BLOCKS);
  const before = blockRows(archivePath, 'data').map(({ id: _id, ...b }) => b);
  await compactArchive({ archivePath });
  // Nothing was dead: every block is copied whole, not recoded.
  expect(blockRows(archivePath, 'data').map(({ id: _id, ...b }) => b)).toEqual(before);
  const out = path.join(root, 'out');
  await extractArchive({ archivePath, destDir: out });
  expect(snapshot(out)).toEqual(snapshot(src));
});
