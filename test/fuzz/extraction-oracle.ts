// The fuzz suite's judge. After any extraction attempt, good or refused, the sandbox must show that:
// nothing was written outside the destination, nothing outside changed, no temp file was left, and every file
// under the destination holds exactly the bytes that were archived under that path (the right bytes, or none).
import fs from 'node:fs';
import path from 'node:path';

/** What was archived, by archive path. */
export type ArchivedTree = Map<string, { type: 'file'; bytes: Buffer } | { type: 'directory' } | { type: 'symlink'; target: string }>;

export interface SandboxSnapshot {
  /** Relative path (from the sandbox root) -> a fingerprint of what is there. */
  outside: Map<string, string>;
}

function describeNode(full: string): string {
  const st = fs.lstatSync(full);
  if (st.isSymbolicLink()) return `link:${fs.readlinkSync(full)}`;
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return `file:${fs.readFileSync(full).toString('base64')}`;
  return 'other';
}

export function describePlanted(dest: string, rels: string[]): Map<string, string> {
  return new Map(rels.map((rel) => [rel, describeNode(path.join(dest, rel))]));
}

function walk(root: string, visit: (rel: string, full: string, st: fs.Stats) => void, rel = ''): void {
  for (const name of fs.readdirSync(path.join(root, rel))) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const full = path.join(root, childRel);
    const st = fs.lstatSync(full);
    visit(childRel, full, st);
    if (st.isDirectory()) walk(root, visit, childRel);
  }
}

/** Everything in the sandbox except the destination folder (whose contents the oracle judges separately). */
export function snapshotOutside(sandbox: string, destName: string): SandboxSnapshot {
  const outside = new Map<string, string>();
  walk(sandbox, (rel, full) => {
    if (rel === destName || rel.startsWith(`${destName}/`)) return;
    outside.set(rel, describeNode(full));
  });
  return { outside };
}

/**
 * Problems found, as sentences; empty when every promise held. `before` is the snapshot taken before the
 * extraction; `extraProbes` are absolute paths a hostile archive aimed at (they must not exist afterwards).
 */
export function judgeExtraction(options: {
  sandbox: string;
  destName: string;
  before: SandboxSnapshot;
  archived: ArchivedTree;
  extraProbes?: string[];
  /**
   * Accept a file under a path other than its own when its bytes are exactly some archived file's bytes
   * (unauthenticated metadata, see the plain-archive fuzz case). Wrong bytes are never accepted.
   */
  lenientNames?: boolean;
  /** Destination-relative paths the test planted before extracting; they are judged only for being unchanged. */
  planted?: Map<string, string>;
}): string[] {
  const problems: string[] = [];
  const after = snapshotOutside(options.sandbox, options.destName);
  for (const [rel, what] of after.outside) {
    const was = options.before.outside.get(rel);
    if (was === undefined) problems.push(`new file outside the destination: ${rel}`);
    else if (was !== what) problems.push(`changed outside the destination: ${rel}`);
  }
  for (const rel of options.before.outside.keys()) {
    if (!after.outside.has(rel)) problems.push(`removed outside the destination: ${rel}`);
  }
  for (const probe of options.extraProbes ?? []) {
    if (fs.existsSync(probe)) problems.push(`written at an absolute path the archive named: ${probe}`);
  }
  const dest = path.join(options.sandbox, options.destName);
  if (fs.existsSync(dest)) {
    for (const [rel, what] of options.planted ?? []) {
      const full = path.join(dest, rel);
      if (!fs.existsSync(full) && !fs.lstatSync(full, { throwIfNoEntry: false })) problems.push(`planted node removed: ${rel}`);
      else if (describeNode(full) !== what) problems.push(`planted node changed: ${rel}`);
    }
    walk(dest, (rel, full, st) => {
      if (options.planted?.has(rel)) return;
      if (rel.includes('.octozip-tmp-')) {
        problems.push(`temp file left behind: ${rel}`);
        return;
      }
      const want = options.archived.get(rel);
      if (st.isFile()) {
        const bytes = fs.readFileSync(full);
        const matchesAny = () => [...options.archived.values()].some((a) => a.type === 'file' && a.bytes.equals(bytes));
        if (want?.type === 'file' && want.bytes.equals(bytes)) return;
        if (options.lenientNames && matchesAny()) return;
        problems.push(want?.type === 'file' ? `file with wrong bytes: ${rel}` : `file that was never archived: ${rel}`);
      } else if (st.isSymbolicLink()) {
        const target = fs.readlinkSync(full);
        if ((want?.type !== 'symlink' || want.target !== target) && !options.lenientNames) problems.push(`unexpected symlink: ${rel} -> ${target}`);
        const resolved = path.resolve(path.dirname(full), target);
        if (resolved !== dest && !resolved.startsWith(dest + path.sep)) problems.push(`symlink out of the destination: ${rel}`);
      } else if (st.isDirectory()) {
        // A directory may be created as the parent of an archived entry even when its own row is damaged.
        const isParent = [...options.archived.keys()].some((p) => p.startsWith(`${rel}/`));
        if (want?.type !== 'directory' && !isParent && !options.lenientNames) problems.push(`directory that was never archived: ${rel}`);
      } else {
        problems.push(`special file: ${rel}`);
      }
    });
  }
  return problems;
}
