// Random file trees for property tests: generate, write to disk, and read back a comparable snapshot.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';

export type TreeNode =
  | { kind: 'file'; name: string; bytes: Uint8Array; mode: number; mtimeMs: number }
  | { kind: 'dir'; name: string; children: TreeNode[]; mode: number; mtimeMs: number }
  | { kind: 'link'; name: string; target: string; mtimeMs: number };

// Odd but legal names: unicode, spaces, leading dashes and dots, quotes, newlines.
const nameChars = fc.constantFrom(...'abcXYZ019 -_.é漢🐙\'"#%&()[]{}+=,;~\n'.split(''), 'ü', 'Ω');
const nodeName = fc
  .array(nameChars, { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(''))
  .filter((n) => n !== '.' && n !== '..' && Buffer.byteLength(n) < 200);

const textBytes = fc.string({ maxLength: 3000 }).map((s) => new Uint8Array(Buffer.from(s.repeat(1 + (s.length % 4)))));
const fileBytes = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.uint8Array({ minLength: 1000, maxLength: 20_000 }),
  textBytes,
  // Larger than one chunk with a tiny chunk size is covered in roundtrip.test.ts; here: compressible runs.
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 40_000 })).map(([b, n]) => new Uint8Array(n).fill(b)),
);
// Modes keep the owner able to read and write so the test can clean up.
const fileMode = fc.constantFrom(0o644, 0o600, 0o755, 0o640, 0o700, 0o664);
const dirMode = fc.constantFrom(0o755, 0o700, 0o750, 0o775);
// Whole seconds keep every filesystem's timestamp precision out of the comparison.
const mtime = fc.integer({ min: 0, max: 2_000_000_000 }).map((s) => s * 1000);
const linkTarget = fc.constantFrom('a', 'sub/file', '../x', 'missing', '.', './y');

export const treeArbitrary: fc.Arbitrary<TreeNode[]> = fc
  .letrec<{ node: TreeNode; nodes: TreeNode[] }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ kind: fc.constant('file' as const), name: nodeName, bytes: fileBytes, mode: fileMode, mtimeMs: mtime }),
      fc.record({ kind: fc.constant('link' as const), name: nodeName, target: linkTarget, mtimeMs: mtime }),
      fc.record({ kind: fc.constant('dir' as const), name: nodeName, children: tie('nodes') as fc.Arbitrary<TreeNode[]>, mode: dirMode, mtimeMs: mtime }),
    ),
    nodes: fc.uniqueArray(tie('node') as fc.Arbitrary<TreeNode>, { maxLength: 5, selector: (n) => n.name }),
  }))
  .nodes;

/** Writes the tree under dir; returns dir. Folder times are set after their contents. */
export function writeTree(dir: string, nodes: TreeNode[], depth = 0): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const node of nodes) {
    const p = path.join(dir, node.name);
    if (node.kind === 'file') {
      fs.writeFileSync(p, node.bytes);
      fs.chmodSync(p, node.mode);
      fs.utimesSync(p, node.mtimeMs / 1000, node.mtimeMs / 1000);
    } else if (node.kind === 'link') {
      // '../x' from the top level would point outside the tree; extract refuses that, by design.
      fs.symlinkSync(depth === 0 && node.target.startsWith('..') ? 'x' : node.target, p);
      fs.lutimesSync(p, node.mtimeMs / 1000, node.mtimeMs / 1000);
    } else {
      writeTree(p, node.children, depth + 1);
      fs.chmodSync(p, node.mode);
      fs.utimesSync(p, node.mtimeMs / 1000, node.mtimeMs / 1000);
    }
  }
  return dir;
}

export interface SnapshotEntry {
  type: 'file' | 'dir' | 'link';
  mode?: number;
  mtimeMs: number;
  sha256?: string;
  target?: string;
}

/** Every path under dir with what matters for a round trip. */
export function snapshot(dir: string): Map<string, SnapshotEntry> {
  const out = new Map<string, SnapshotEntry>();
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const p = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(p);
      const mtimeMs = Math.floor(st.mtimeMs);
      if (st.isSymbolicLink()) out.set(r, { type: 'link', mtimeMs, target: fs.readlinkSync(p) });
      else if (st.isDirectory()) {
        out.set(r, { type: 'dir', mode: st.mode & 0o777, mtimeMs });
        walk(p, r);
      } else {
        const sha256 = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
        out.set(r, { type: 'file', mode: st.mode & 0o777, mtimeMs, sha256 });
      }
    }
  };
  walk(dir, '');
  return out;
}

/** A fresh temp folder; removed by the returned cleanup. */
export function tempDir(prefix = 'octozip-test-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Names in dir that look like Octozip temp files (anything left behind after a failure). */
export function leftoverTempFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (abs: string) => {
    for (const name of fs.readdirSync(abs)) {
      const p = path.join(abs, name);
      if (name.includes('.octozip-tmp-')) found.push(p);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return found;
}
