// The real `octozip` command, spawned as users run it: outputs, --json, exit codes and one-line errors.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/format/database.ts';
import { FORMAT_VERSION } from '../../electron/engine/format/schema.ts';
import { blockRows, blocksOfEntry } from '../helpers/blocks.ts';
import { craftArchive } from '../helpers/craft.ts';
import { snapshot, tempDir } from '../helpers/tree.ts';

const BIN = fileURLToPath(new URL('../../bin/octozip.js', import.meta.url));
let root: string;
let cleanup: () => void;

function octozip(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir());
  const src = path.join(root, 'src');
  fs.mkdirSync(path.join(src, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(src, 'readme.md'), '# Octozip\n'.repeat(50));
  fs.writeFileSync(path.join(src, 'nested', 'data.bin'), Buffer.from([0, 1, 2, 3, 255]));
  fs.symlinkSync('readme.md', path.join(src, 'link'));
});
afterAll(() => cleanup());

describe('octozip CLI', () => {
  it('create, list, info, verify, extract round trip', () => {
    const created = octozip(['create', 'a.octz', 'src', '--preset', 'fast']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/a\.octz: 5 entries/);

    const list = octozip(['list', 'a.octz', '--json']);
    expect(list.code).toBe(0);
    const listing = JSON.parse(list.stdout);
    expect(listing.entries.map((e: { path: string }) => e.path)).toEqual([
      'src',
      'src/link',
      'src/nested',
      'src/nested/data.bin',
      'src/readme.md',
    ]);
    expect(octozip(['list', 'a.octz']).stdout).toMatch(/src\/link -> readme\.md/);

    const info = JSON.parse(octozip(['info', 'a.octz', '--json']).stdout);
    expect(info).toMatchObject({ formatVersion: FORMAT_VERSION, entries: 5, files: 2, models: [] });
    expect(octozip(['info', 'a.octz']).stdout).toMatch(new RegExp(`format version: ${FORMAT_VERSION}\\n`));

    const verify = octozip(['verify', 'a.octz', '--json']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, problems: [] });
    expect(octozip(['verify', 'a.octz']).stdout).toMatch(/^OK: 5 entries intact/);

    const extract = octozip(['extract', 'a.octz', '-o', 'out']);
    expect(extract.code).toBe(0);
    expect(snapshot(path.join(root, 'out', 'src'))).toEqual(snapshot(path.join(root, 'src')));

    const partial = octozip(['extract', 'a.octz', '-o', 'partial', 'src/nested']);
    expect(partial.code).toBe(0);
    expect(fs.readdirSync(path.join(root, 'partial', 'src'))).toEqual(['nested']);
  });

  it('"." stores the current folder\'s contents', () => {
    expect(octozip(['create', path.join(root, 'dot.octz'), '.', '--preset', 'fast'], path.join(root, 'src')).code).toBe(0);
    const paths = JSON.parse(octozip(['list', 'dot.octz', '--json']).stdout).entries.map((e: { path: string }) => e.path);
    expect(paths).toContain('readme.md');
    expect(paths).not.toContain('src');
  });

  it('exits 2 with a report when the archive is damaged', async () => {
    fs.copyFileSync(path.join(root, 'a.octz'), path.join(root, 'bad.octz'));
    // readme.md is the only markup file, so its block holds nothing else.
    const [blockId] = await blocksOfEntry(path.join(root, 'bad.octz'), 'src/readme.md');
    const db = openDatabase(path.join(root, 'bad.octz'));
    db.prepare('UPDATE block SET payload = zeroblob(length(payload)) WHERE id = ?').run(blockId);
    db.close();
    const verify = octozip(['verify', 'bad.octz']);
    expect(verify.code).toBe(2);
    expect(verify.stdout).toMatch(/damaged: src\/readme\.md: /);
    expect(verify.stdout).toMatch(/FAILED: 1 of 5 entries damaged/);
    expect(octozip(['verify', 'bad.octz', '--json']).code).toBe(2);

    const extract = octozip(['extract', 'bad.octz', '-o', 'bad-out']);
    expect(extract.code).toBe(2);
    expect(extract.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(root, 'bad-out', 'src', 'readme.md'))).toBe(false);
  });

  it('--threads does not change the archive; compact rewrites it and reports both sizes', () => {
    for (const n of ['1', '2']) expect(octozip(['create', `t${n}.octz`, 'src', '--preset', 'fast', '--threads', n]).code).toBe(0);
    expect(blockRows(path.join(root, 't2.octz'))).toEqual(blockRows(path.join(root, 't1.octz')));
    expect(octozip(['delete', 't1.octz', 'src/readme.md']).code).toBe(0);
    const compact = octozip(['compact', 't1.octz', '--json']);
    expect(compact.code).toBe(0);
    const summary = JSON.parse(compact.stdout);
    expect(summary.bytesBefore).toBeGreaterThan(0);
    expect(summary.archiveBytes).toBe(fs.statSync(path.join(root, 't1.octz')).size);
    expect(octozip(['verify', 't1.octz']).stdout).toMatch(/^OK: 4 entries intact/);
  });

  it('--block-size sets the solid block size the archive records; a size out of bounds is refused in one line', () => {
    expect(octozip(['create', 'b1.octz', 'src', '--preset', 'fast', '--block-size', '1m']).code).toBe(0);
    const db = openDatabase(path.join(root, 'b1.octz'), { readonly: true });
    try {
      expect(db.prepare("SELECT value FROM header WHERE key = 'block_bytes'").pluck().get()).toBe('1048576');
    } finally {
      db.close();
    }
    for (const size of ['512k', '65m', '2.5m', 'big']) {
      const r = octozip(['create', 'b2.octz', 'src', '--block-size', size]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`octozip: not a block size from 1.0 MiB to 64.0 MiB: ${size}`]);
    }
    expect(fs.existsSync(path.join(root, 'b2.octz'))).toBe(false);
  });

  it('exits 1 with one line and no stack for other errors', () => {
    for (const args of [['list', 'missing.octz'], ['info', 'src/readme.md'], ['create', 'a.octz', 'src'], ['create', 'x.octz', 'nope']]) {
      const r = octozip(args);
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^octozip: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(octozip(['info', 'src/readme.md']).stderr).toMatch(/is not an Octozip archive/);
    expect(octozip(['create', 'a.octz', 'src']).stderr).toMatch(/already exists/);
  });

  it('refuses an unsafe archive with a clear message', () => {
    craftArchive(path.join(root, 'evil.octz'), [{ path: '../escape.txt', bytes: Buffer.from('x') }]);
    const r = octozip(['extract', 'evil.octz', '-o', 'evil-out']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^octozip: Refusing to extract "\.\.\/escape\.txt": the path contains "\.\."/);
    expect(fs.existsSync(path.join(root, 'escape.txt'))).toBe(false);
  });

  it('applies the conflict policy', () => {
    fs.mkdirSync(path.join(root, 'c', 'src'), { recursive: true });
    fs.writeFileSync(path.join(root, 'c', 'src', 'readme.md'), 'mine');
    expect(JSON.parse(octozip(['extract', 'a.octz', '-o', 'c', '--json']).stdout)).toMatchObject({ skipped: 1 });
    expect(fs.readFileSync(path.join(root, 'c', 'src', 'readme.md'), 'utf8')).toBe('mine');
    expect(octozip(['extract', 'a.octz', '-o', 'c', '--conflict', 'rename']).code).toBe(0);
    expect(fs.existsSync(path.join(root, 'c', 'src', 'readme (1).md'))).toBe(true);
    expect(octozip(['extract', 'a.octz', '-o', 'c', '--overwrite']).code).toBe(0);
    expect(fs.readFileSync(path.join(root, 'c', 'src', 'readme.md'), 'utf8')).toBe('# Octozip\n'.repeat(50));
  });
});
