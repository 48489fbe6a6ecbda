// What an archive costs beyond its compressed data, on real archives: format 2 codes its catalog as two blocks, so
// a small archive stays small and the cost per entry is tens of bytes (format 1 paid ~430 B per entry in rows, an
// index and a SHA-256). Measured figures are printed; the bounds are ones format 1 could not meet.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchive, listArchive } from '../../electron/engine/index.ts';
import { blockRows } from '../helpers/blocks.ts';
import { tempDir } from '../helpers/tree.ts';

// A Debian file, not a corpus file (the corpus is for measuring only).
const LICENSE = '/usr/share/common-licenses/GPL-3';

let root: string;
let cleanup: () => void;
beforeAll(() => ({ dir: root, cleanup } = tempDir('octozip-size-')));
afterAll(() => cleanup());

const dataPayloadBytes = (archivePath: string) => blockRows(archivePath, 'data').reduce((sum, b) => sum + b.payloadBytes, 0);

/** A tree of small source-like files: `dirs` folders of `perDir` files each, sizes varying from 50 to 600 bytes. */
function writeSmallTree(top: string, dirs: number, perDir: number): number {
  let files = 0;
  for (let i = 0; i < dirs; i++) {
    for (let j = 0; j < perDir; j++) {
      const folder = path.join(top, `pkg${String(i).padStart(2, '0')}`, j % 2 ? 'src' : 'doc');
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `file-${j}.${j % 3 ? 'txt' : 'c'}`), `item ${i}-${j} `.repeat(5 + ((i * 7 + j) % 40)));
      files++;
    }
  }
  return files;
}

describe('archive structure', () => {
  it('a one-file archive of an 8 KB English text is at most 5 KB', async () => {
    const text = fs.readFileSync(LICENSE).subarray(0, 8192);
    expect(text.length).toBe(8192);
    fs.writeFileSync(path.join(root, 'license.txt'), text);
    const archivePath = path.join(root, 'one.octz');
    const summary = await createArchive({ archivePath, inputs: ['license.txt'], cwd: root });
    console.log(`one 8,192-byte text: archive ${summary.archiveBytes} bytes, data payload ${dataPayloadBytes(archivePath)} bytes`);
    expect(summary.archiveBytes).toBe(fs.statSync(archivePath).size);
    expect(summary.archiveBytes).toBeLessThanOrEqual(5 * 1024);
  });

  it('structure per entry (file size minus data payload) is tens of bytes on a few hundred small files', async () => {
    const files = writeSmallTree(path.join(root, 'tree'), 12, 25);
    const archivePath = path.join(root, 'tree.octz');
    const summary = await createArchive({ archivePath, inputs: ['tree'], cwd: root, preset: 'fast' });
    expect(summary.files).toBe(files);
    const structure = summary.archiveBytes - dataPayloadBytes(archivePath);
    const perEntry = structure / summary.entries;
    console.log(`${summary.entries} entries (${files} files): archive ${summary.archiveBytes} bytes, structure ${structure} bytes, ${perEntry.toFixed(1)} B/entry`);
    // Format 1 paid ~430 B per entry.
    expect(perEntry).toBeLessThanOrEqual(48);
  });

  it('a list of 5,000 generated entries completes and names every one', async () => {
    const files = writeSmallTree(path.join(root, 'many'), 100, 49);
    const archivePath = path.join(root, 'many.octz');
    const summary = await createArchive({ archivePath, inputs: ['many'], cwd: root, preset: 'fast' });
    const listing = await listArchive(archivePath);
    expect(files).toBe(4900);
    // 4,900 files, 100 package folders with 2 folders each, and the top folder: 5,201 entries.
    expect(summary.entries).toBe(5201);
    expect(listing.entries).toHaveLength(5201);
    expect(listing.entries.filter((e) => e.type === 'file')).toHaveLength(files);
    expect(listing.entries.at(-1)?.path).toBe('many/pkg99/src/file-9.c');
  });
});
