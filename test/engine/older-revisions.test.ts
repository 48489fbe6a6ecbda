// Archives whose blocks were coded by earlier model revisions (test/fixtures/payload-vN, made by the build before
// revision N + 1, all from the same files: cm blocks primed with each of the three priors, and neural blocks) still
// verify and extract to exactly the bytes they were made from, also beside blocks that a later add coded with the
// current revision.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addToArchive, extractArchive, verifyArchive } from '../../electron/engine/index.ts';
import { LATEST_REVISION } from '../../electron/engine/coder/wasm-coder.ts';
import { fixtureCopies } from '../helpers/fixture-copies.ts';

interface ExpectedFile {
  path: string;
  size: number;
  sha256: string;
}

/** Each data block's codec, the first byte of its payload (the payload version) and its flags byte. */
function dataBlocks(archivePath: string): { codec: string; version: number; flags: number }[] {
  const rows = execFileSync('sqlite3', [archivePath, "SELECT codec, unicode(substr(payload, 1, 1)), unicode(substr(payload, 3, 1)) FROM block WHERE role = 'data' ORDER BY id"], {
    encoding: 'utf8',
  });
  return rows
    .trim()
    .split('\n')
    .map((line) => {
      const [codec, version, flags] = line.split('|');
      return { codec: codec!, version: Number(version), flags: Number(flags) };
    });
}

function filesUnder(dir: string): ExpectedFile[] {
  const out: ExpectedFile[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const p = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if (fs.statSync(p).isDirectory()) walk(p, r);
      else {
        const bytes = fs.readFileSync(p);
        out.push({ path: r, size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
      }
    }
  };
  walk(dir, '');
  return out;
}

describe.each([3, 4, 5, 6, 7, 8, 9])('archives coded by model revision %i', (revision) => {
  const FIXTURES = new URL(`../fixtures/payload-v${revision}/`, import.meta.url);
  const EXPECTED = JSON.parse(fs.readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as ExpectedFile[];
  const fixtures = fixtureCopies(FIXTURES, `octozip-payload-v${revision}-`);
  const copyOfFixture = fixtures.copy;

  it(`the fixtures hold revision-${revision} blocks: cm primed with each prior, and neural`, () => {
    const cm = dataBlocks(fileURLToPath(new URL('balanced.octz', FIXTURES))).filter((b) => b.codec === 'cm');
    expect(cm.map((b) => b.version)).toEqual([revision, revision, revision]);
    // Flags: bit 0 primed, bits 1-3 the prior's index (english, code, markup).
    expect(cm.map((b) => b.flags).sort()).toEqual([1, 3, 5]);
    const neural = dataBlocks(fileURLToPath(new URL('neural.octz', FIXTURES)));
    expect(neural.length).toBeGreaterThan(1);
    expect(neural.every((b) => b.codec === 'neural' && b.version === revision)).toBe(true);
  });

  for (const name of ['balanced.octz', 'neural.octz']) {
    it(`${name} verifies and extracts to the bytes it was made from`, async () => {
      const archivePath = copyOfFixture(name);
      const report = await verifyArchive({ archivePath });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      const out = fixtures.scratch('out');
      await extractArchive({ archivePath, destDir: out });
      expect(filesUnder(out)).toEqual(EXPECTED);
    });
  }

  it(`takes new files coded by the current revision beside its revision-${revision} blocks, and extracts both`, async () => {
    const archivePath = copyOfFixture('balanced.octz');
    const src = fixtures.scratch('add-src');
    fs.mkdirSync(src);
    const text = Array.from({ length: 60 }, (_, i) => `int added_${i}(int x) { return x * ${i} + ${i % 7}; }\n`).join('');
    fs.writeFileSync(path.join(src, 'added.c'), text);
    await addToArchive({ archivePath, inputs: ['added.c'], cwd: src });
    const versions = dataBlocks(archivePath)
      .filter((b) => b.codec === 'cm')
      .map((b) => b.version);
    expect(versions).toEqual([revision, revision, revision, LATEST_REVISION]);
    const out = fixtures.scratch('out');
    await extractArchive({ archivePath, destDir: out });
    const added = { path: 'added.c', size: text.length, sha256: crypto.createHash('sha256').update(text).digest('hex') };
    expect(filesUnder(out)).toEqual([added, ...EXPECTED]);
  });
});
