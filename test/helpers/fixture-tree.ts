// A committed fixture archive's tree (its expected.json: every path, type, mode, time, size, SHA-256 and link)
// and the check that an archive lists, verifies and extracts to exactly that tree.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { extractArchive, listArchive, verifyArchive } from '../../electron/engine/index.ts';

export interface ExpectedEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtimeMs: number;
  size?: number;
  sha256?: string;
  linkTarget?: string;
}

export function readExpected(url: URL): ExpectedEntry[] {
  return JSON.parse(fs.readFileSync(url, 'utf8')) as ExpectedEntry[];
}

/** What is on disk under `dir`, in the shape of expected.json. */
export function onDisk(dir: string): ExpectedEntry[] {
  const out: ExpectedEntry[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const p = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(p);
      const base = { path: r, mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs) };
      if (st.isSymbolicLink()) out.push({ ...base, type: 'symlink', linkTarget: fs.readlinkSync(p) });
      else if (st.isDirectory()) {
        out.push({ ...base, type: 'directory' });
        walk(p, r);
      } else {
        const bytes = fs.readFileSync(p);
        out.push({ ...base, type: 'file', size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
      }
    }
  };
  walk(dir, '');
  return out;
}

/** expected.json with what a round trip through the filesystem can reproduce (a link's own mode is the OS's). */
export function comparable(entries: ExpectedEntry[], linkModes: boolean): ExpectedEntry[] {
  return [...entries]
    .map((e) => (e.type === 'symlink' && !linkModes ? { ...e, mode: 0 } : e))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The archive lists, verifies and extracts to exactly `expected` (extracting into `out`, a fresh path). */
export async function expectHoldsTree(archivePath: string, password: string | undefined, expected: readonly ExpectedEntry[], out: string): Promise<void> {
  const listing = await listArchive(archivePath, { password });
  const listed = listing.entries.map((e): ExpectedEntry => {
    const out: ExpectedEntry = { path: e.path, type: e.type, mode: e.mode, mtimeMs: e.mtimeMs };
    if (e.type === 'file') out.size = e.size;
    if (e.linkTarget !== undefined) out.linkTarget = e.linkTarget;
    return out;
  });
  expect(comparable(listed, true)).toEqual(comparable(expected.map(({ sha256: _s, size, ...e }) => (e.type === 'file' ? { ...e, size } : e)), true));

  const report = await verifyArchive({ archivePath, password });
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.entries.every((e) => e.verdict === 'intact')).toBe(true);

  await extractArchive({ archivePath, destDir: out, password });
  // Linux gives every symbolic link mode 0777, whatever the archive says.
  expect(comparable(onDisk(out), false)).toEqual(comparable([...expected], false));
}
