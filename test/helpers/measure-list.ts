// Measures list and info on an archive of many entries: npx tsx test/helpers/measure-list.ts [entries]
// Prints the seconds each takes; the archive is crafted (one stored byte per file) so building it is quick.
import fs from 'node:fs';
import path from 'node:path';
import { archiveInfo, listArchive } from '../../electron/engine/index.ts';
import { craftArchive } from './craft.ts';
import { tempDir } from './tree.ts';

const count = Number(process.argv[2] ?? 100_000);
const { dir, cleanup } = tempDir('octozip-list-');
try {
  const archivePath = path.join(dir, 'many.octz');
  craftArchive(
    archivePath,
    Array.from({ length: count }, (_, i) => ({ path: `dir${i % 100}/file-${i}.txt`, bytes: Buffer.from([i & 0xff]) })),
  );
  const t0 = performance.now();
  const listing = await listArchive(archivePath);
  const t1 = performance.now();
  await archiveInfo(archivePath);
  const t2 = performance.now();
  console.log(
    `entries ${listing.entries.length}, archive ${fs.statSync(archivePath).size} bytes: ` +
      `list ${((t1 - t0) / 1000).toFixed(3)} s, info ${((t2 - t1) / 1000).toFixed(3)} s`,
  );
} finally {
  cleanup();
}
