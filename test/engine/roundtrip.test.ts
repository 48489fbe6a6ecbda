// Property: any tree of files, folders and links survives create -> extract bit-exactly, with modes,
// times and link targets; verify passes; list agrees with what was stored.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createArchive, extractArchive, listArchive, verifyArchive } from '../../electron/engine/index.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { blockRows } from '../helpers/blocks.ts';
import { snapshot, tempDir, treeArbitrary, writeTree, leftoverTempFiles } from '../helpers/tree.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function scratch() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('round trip', () => {
  it('random trees come back bit-exact with modes, times and links (store and brotli, tiny blocks)', async () => {
    await fc.assert(
      fc.asyncProperty(treeArbitrary, fc.constantFrom(['store'] as const, ['brotli'] as const), fc.integer({ min: 1000, max: 8000 }), async (tree, codecs, blockBytes) => {
        const root = scratch();
        const src = writeTree(path.join(root, 'src'), tree);
        const archivePath = path.join(root, 'a.octz');
        const summary = await createArchiveWithSettings(
          { archivePath, inputs: ['.'], cwd: src },
          { ...PRESETS.fast, codecs: [...codecs], blockBytes },
        );
        const expected = snapshot(src);
        expect(summary.entries).toBe(expected.size);

        const report = await verifyArchive({ archivePath });
        expect(report.problems).toEqual([]);
        expect(report.ok).toBe(true);

        const listing = await listArchive(archivePath);
        expect(listing.entries.map((e) => e.path).sort()).toEqual([...expected.keys()].sort());

        const out = path.join(root, 'out');
        await extractArchive({ archivePath, destDir: out });
        expect(snapshot(out)).toEqual(expected);
        expect(leftoverTempFiles(root)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('a folder argument is stored under its own name; "." stores the contents', async () => {
    const root = scratch();
    writeTree(path.join(root, 'src'), [
      { kind: 'file', name: 'a.txt', bytes: Buffer.from('hello'), mode: 0o644, mtimeMs: 1_000_000 },
      { kind: 'dir', name: 'd', mode: 0o755, mtimeMs: 2_000_000, children: [] },
    ]);
    await createArchive({ archivePath: path.join(root, 'named.octz'), inputs: ['src'], cwd: root, preset: 'fast' });
    await createArchive({ archivePath: path.join(root, 'dot.octz'), inputs: ['.'], cwd: path.join(root, 'src'), preset: 'fast' });
    const named = (await listArchive(path.join(root, 'named.octz'))).entries.map((e) => e.path);
    const dot = (await listArchive(path.join(root, 'dot.octz'))).entries.map((e) => e.path);
    expect(named).toEqual(['src', 'src/a.txt', 'src/d']);
    expect(dot).toEqual(['a.txt', 'd']);
  });

  it('refuses to archive a name it could not safely extract everywhere (a backslash), naming the file', async () => {
    const root = scratch();
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'a\\b.txt'), 'x');
    const err = await createArchive({ archivePath: path.join(root, 'a.octz'), inputs: ['src'], cwd: root, preset: 'fast' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'input' });
    expect((err as Error).message).toMatch(/a\\b\.txt: the path contains a backslash/);
    expect(fs.readdirSync(root)).toEqual(['src']);
  });

  it('stores identical content once and restores every copy', async () => {
    const root = scratch();
    const bytes = fs.readFileSync(new URL('../../package.json', import.meta.url));
    const src = path.join(root, 'src');
    fs.mkdirSync(src);
    for (const name of ['one', 'two', 'three']) fs.writeFileSync(path.join(src, name), bytes);
    fs.writeFileSync(path.join(src, 'other'), Buffer.alloc(bytes.length, 7)); // same size, other bytes
    const archivePath = path.join(root, 'a.octz');
    await createArchive({ archivePath, inputs: ['src'], cwd: root, preset: 'fast' });
    const listing = await listArchive(archivePath);
    const files = listing.entries.filter((e) => e.type === 'file');
    expect(files.filter((e) => e.packedSize > 0)).toHaveLength(2); // one twin group plus 'other'
    // The data blocks hold the bytes of two files: the twins once, and 'other'.
    expect(blockRows(archivePath, 'data').reduce((sum, b) => sum + b.rawSize, 0)).toBe(2 * bytes.length);
    await extractArchive({ archivePath, destDir: path.join(root, 'out') });
    for (const name of ['one', 'two', 'three']) expect(fs.readFileSync(path.join(root, 'out/src', name)).equals(bytes)).toBe(true);
  });

  it('is never much larger than store: incompressible blocks are stored', async () => {
    const root = scratch();
    const src = path.join(root, 'noise.bin');
    const random = (await import('node:crypto')).randomBytes(300_000);
    fs.writeFileSync(src, random);
    const archivePath = path.join(root, 'a.octz');
    const summary = await createArchiveWithSettings(
      { archivePath, inputs: [src] },
      { ...PRESETS.fast, blockBytes: 64 * 1024 },
    );
    expect(summary.rawBytesByCodec).toEqual({ store: 300_000 });
    expect(summary.packedBytes).toBe(300_000);
  });

  it('maximum offers every block to the network and to cm, so it never packs worse than balanced', async () => {
    const root = scratch();
    fs.writeFileSync(path.join(root, 'a.txt'), 'The network and the context mixer compete for every chunk. '.repeat(400));
    const maximum = await createArchive({ archivePath: path.join(root, 'max.octz'), inputs: ['a.txt'], cwd: root, preset: 'maximum' });
    const balanced = await createArchive({ archivePath: path.join(root, 'bal.octz'), inputs: ['a.txt'], cwd: root, preset: 'balanced' });
    expect(maximum.notes ?? []).toEqual([]);
    expect(Object.keys(maximum.rawBytesByCodec).every((c) => c === 'neural' || c === 'cm')).toBe(true);
    expect(maximum.packedBytes).toBeLessThanOrEqual(balanced.packedBytes);
  });
});
