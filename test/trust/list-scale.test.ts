// Listing stays one decode of the catalog however many entries there are: 10,000 entries here (the scale
// benchmark, `npm run bench:scale`, reports the time for 100,000), plain and with encrypted names, where the
// sealed entry list is opened. The time is printed, not asserted: speed goals live in the benchmark.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchive, listArchive } from '../../electron/engine/index.ts';

const FILES = 10_000;
let sandbox: string;

beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-list-'));
  // Empty files: the entry list is what listing reads, and empty files cost no codec work to archive.
  for (let d = 0; d < FILES / 500; d++) {
    const dir = path.join(sandbox, 'tree', `d${String(d).padStart(3, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 500; f++) fs.writeFileSync(path.join(dir, `f${String(f).padStart(4, '0')}.txt`), '');
  }
});

afterAll(() => {
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

describe(`listing ${FILES} entries`, () => {
  for (const password of [undefined, 'list pw']) {
    it(password ? 'with encrypted names' : 'plain', async () => {
      const archivePath = path.join(sandbox, password ? 'hidden.octz' : 'plain.octz');
      await createArchive({ archivePath, inputs: ['tree'], cwd: sandbox, preset: 'fast', password, encryptNames: password !== undefined });
      const started = performance.now();
      const listing = await listArchive(archivePath, { password });
      const ms = performance.now() - started;
      console.log(`list ${password ? 'encrypted names' : 'plain'}: ${listing.entries.length} entries in ${ms.toFixed(0)} ms`);
      expect(listing.entries).toHaveLength(FILES + FILES / 500 + 1);
      expect(listing.entries.filter((e) => e.type === 'file')).toHaveLength(FILES);
      expect(listing.entries.at(-1)?.path).toBe(`tree/d${String(FILES / 500 - 1).padStart(3, '0')}/f0499.txt`);
    });
  }
});
