// The solid block size a user chooses (create's blockBytes, the CLI's --block-size): parsed as users type it,
// bounded, recorded in the archive, and kept by add and compact.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToArchive,
  compactArchive,
  createArchive,
  deleteFromArchive,
  extractArchive,
  MAX_BLOCK_BYTES,
  MIN_BLOCK_BYTES,
  parseByteSize,
  PRESETS,
} from '../../electron/engine/index.ts';
import { ArchiveReader } from '../../electron/engine/format/reader.ts';
import { presetSettings } from '../../electron/engine/presets.ts';
import { blockRows } from '../helpers/blocks.ts';
import { snapshot, tempDir } from '../helpers/tree.ts';

const MiB = 1024 * 1024;
const A = 2.5 * MiB;
const B = 300 * 1024;
const C = 1.5 * MiB;
let root: string;
let cleanup: () => void;

/** Distinct, compressible text (a pseudo-random walk over a few hundred words), so that brotli has work to do. */
function text(bytes: number, seed: number): Buffer {
  let x = seed;
  const words: string[] = [];
  let length = 0;
  while (length < bytes) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const word = `w${(x >>> 16) % 400}${(x & 7) === 0 ? '\n' : ' '}`;
    words.push(word);
    length += word.length;
  }
  return Buffer.from(words.join('').slice(0, bytes));
}

function recordedBlockBytes(archivePath: string): number | undefined {
  const reader = ArchiveReader.open(archivePath);
  try {
    return reader.header.blockBytes;
  } finally {
    reader.close();
  }
}

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir());
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'src', 'a.txt'), text(A, 1));
  fs.writeFileSync(path.join(root, 'src', 'b.txt'), text(B, 2));
  fs.mkdirSync(path.join(root, 'more'));
  fs.writeFileSync(path.join(root, 'more', 'c.txt'), text(C, 3));
});
afterAll(() => cleanup());

describe('solid block size', () => {
  it('is read as users type sizes: bytes, or k/m/g in binary units', () => {
    expect(parseByteSize('4m')).toBe(4 * MiB);
    expect(parseByteSize('4M')).toBe(4 * MiB);
    expect(parseByteSize('4MiB')).toBe(4 * MiB);
    expect(parseByteSize('8mb')).toBe(8 * MiB);
    expect(parseByteSize('512k')).toBe(512 * 1024);
    expect(parseByteSize('1g')).toBe(1024 * MiB);
    expect(parseByteSize('1048576')).toBe(MiB);
    expect(parseByteSize('100B')).toBe(100);
    for (const bad of ['', 'm', '1.5m', '-1m', '4x', '4mm', '4 m b', '0x10', '9007199254740993']) expect(parseByteSize(bad), bad).toBeNull();
  });

  it('is refused outside its bounds, with a message that gives them', () => {
    expect(presetSettings('balanced').blockBytes).toBe(PRESETS.balanced.blockBytes);
    expect(presetSettings('balanced', MIN_BLOCK_BYTES).blockBytes).toBe(MIN_BLOCK_BYTES);
    expect(presetSettings('fast', MAX_BLOCK_BYTES).blockBytes).toBe(MAX_BLOCK_BYTES);
    for (const bad of [MIN_BLOCK_BYTES - 1, MAX_BLOCK_BYTES + 1, 0, -MiB, 1.5 * MiB + 0.5, Number.NaN]) {
      expect(() => presetSettings('balanced', bad)).toThrow(/block size must be between 1\.0 MiB and 64\.0 MiB/);
    }
  });

  it('cuts the blocks, is recorded, round-trips, and add keeps it', async () => {
    const archivePath = path.join(root, 'one-mib.octz');
    await createArchive({ archivePath, inputs: ['src'], cwd: root, preset: 'fast', blockBytes: MiB });
    expect(recordedBlockBytes(archivePath)).toBe(MiB);
    // 2.8 MiB of one kind: blocks of 1 MiB, 1 MiB and the rest.
    expect(blockRows(archivePath, 'data').map((b) => b.rawSize)).toEqual([MiB, MiB, A + B - 2 * MiB]);
    const out = path.join(root, 'out');
    await extractArchive({ archivePath, destDir: out });
    expect(snapshot(path.join(out, 'src'))).toEqual(snapshot(path.join(root, 'src')));

    await addToArchive({ archivePath, inputs: ['more'], cwd: root });
    const added = blockRows(archivePath, 'data').map((b) => b.rawSize);
    expect(added).toHaveLength(5);
    expect(Math.max(...added)).toBe(MiB);

  });

  it('compact recuts what it recodes at the recorded size', async () => {
    // Four 700 KiB files in 1 MiB blocks: deleting the second and the fourth leaves every block partly live, and
    // compact recodes the 1.4 MiB left into blocks of at most 1 MiB (the preset's 8 MiB would make one).
    const dir = path.join(root, 'pairs');
    fs.mkdirSync(dir);
    for (const [i, name] of ['a1', 'b1', 'c1', 'd1'].entries()) fs.writeFileSync(path.join(dir, `${name}.txt`), text(700 * 1024, 10 + i));
    const archivePath = path.join(root, 'compact.octz');
    await createArchive({ archivePath, inputs: ['pairs'], cwd: root, preset: 'fast', blockBytes: MiB });
    await deleteFromArchive({ archivePath, entries: ['pairs/b1.txt', 'pairs/d1.txt'] });
    await compactArchive({ archivePath });
    expect(recordedBlockBytes(archivePath)).toBe(MiB);
    expect(blockRows(archivePath, 'data').map((b) => b.rawSize)).toEqual([MiB, 2 * 700 * 1024 - MiB]);
    const out = path.join(root, 'compacted');
    await extractArchive({ archivePath, destDir: out });
    expect(fs.readdirSync(path.join(out, 'pairs')).sort()).toEqual(['a1.txt', 'c1.txt']);
    expect(fs.readFileSync(path.join(out, 'pairs', 'c1.txt'))).toEqual(text(700 * 1024, 12));
  });

  it('defaults to the preset\'s', async () => {
    const archivePath = path.join(root, 'default.octz');
    await createArchive({ archivePath, inputs: ['src'], cwd: root, preset: 'fast' });
    expect(recordedBlockBytes(archivePath)).toBe(PRESETS.fast.blockBytes);
    expect(blockRows(archivePath, 'data')).toHaveLength(1);
  });
});
