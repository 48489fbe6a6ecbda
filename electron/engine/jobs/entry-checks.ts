// Distrustful checks of an archive's entry table, run before anything is written or reported.
import { OctozipError } from '../errors.ts';
import { entryPathProblem, linkTargetProblem } from '../format/entry-path.ts';
import type { StoredEntry } from '../format/records.ts';

/** Why this entry must not be extracted, or null. Checks its own path, its link target and its ancestors. */
export function entryProblem(entry: StoredEntry, byPath: Map<string, StoredEntry>, platform = process.platform): string | null {
  const pathProblem = entryPathProblem(entry.path, platform);
  if (pathProblem) return pathProblem;
  const segments = entry.path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const ancestor = byPath.get(segments.slice(0, i).join('/'));
    if (ancestor && ancestor.type !== 'directory') {
      return `it would be written through the ${ancestor.type === 'symlink' ? 'symbolic link' : 'file'} "${ancestor.path}"`;
    }
  }
  if (entry.type === 'symlink') {
    if (entry.linkTarget === null) return 'the symbolic link has no target';
    return linkTargetProblem(entry.path, entry.linkTarget);
  }
  return null;
}

/** Throws 'unsafe-path' for the first entry that could land outside the destination or write through a link. */
export function assertEntriesSafe(entries: StoredEntry[], archivePath: string): Map<string, StoredEntry> {
  const byPath = new Map<string, StoredEntry>();
  for (const entry of entries) {
    if (byPath.has(entry.path)) {
      throw new OctozipError('unsafe-path', `Refusing to extract: the archive holds "${entry.path}" twice.`, { subject: archivePath });
    }
    byPath.set(entry.path, entry);
  }
  for (const entry of entries) {
    const problem = entryProblem(entry, byPath);
    if (problem) {
      throw new OctozipError('unsafe-path', `Refusing to extract "${printable(entry.path)}": ${problem}.`, { subject: archivePath });
    }
  }
  return byPath;
}

/** An entry name fit for a one-line message (control characters escaped). */
export function printable(name: string): string {
  return JSON.stringify(name).slice(1, -1);
}
