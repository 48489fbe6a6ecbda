// Walks the inputs of a create job into a flat, sorted list of entries. Nothing is read but metadata, with
// synchronous calls: one thread-pool round trip per file made most of a many-file scan idle time.
import fs from 'node:fs';
import path from 'node:path';
import type { EntryType } from '../api.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import { entryPathProblem } from '../format/entry-path.ts';

export interface ScannedEntry {
  /** Where it is on disk. */
  sourcePath: string;
  /** Where it goes in the archive. */
  entryPath: string;
  type: EntryType;
  mode: number;
  mtimeMs: number;
  size: number;
  linkTarget: string | null;
}

export interface ScanResult {
  entries: ScannedEntry[];
  /** Things left out, as sentences (sockets, devices...). */
  notes: string[];
}

/** Inputs '.' or ending in '/.' store a folder's contents at the archive root; others under their own name. */
function storesContentsOnly(input: string): boolean {
  return input === '.' || input.endsWith('/.') || input.endsWith(`${path.sep}.`);
}

export async function scanInputs(
  inputs: string[],
  cwd: string,
  exclude: (absolutePath: string) => boolean,
  signal?: AbortSignal,
): Promise<ScanResult> {
  if (inputs.length === 0) throw new OctozipError('input', 'Nothing to archive: give at least one file or folder.');
  const entries: ScannedEntry[] = [];
  const notes: string[] = [];
  const seen = new Map<string, string>();

  const add = (entry: ScannedEntry) => {
    const problem = entryPathProblem(entry.entryPath, 'linux');
    if (problem) {
      throw new OctozipError('input', `Cannot archive ${entry.sourcePath}: ${problem}.`, { subject: entry.sourcePath });
    }
    const earlier = seen.get(entry.entryPath);
    if (earlier !== undefined) {
      throw new OctozipError(
        'input',
        `${earlier} and ${entry.sourcePath} would both be stored as "${entry.entryPath}".`,
        { subject: entry.sourcePath },
      );
    }
    seen.set(entry.entryPath, entry.sourcePath);
    entries.push(entry);
  };

  const visit = async (sourcePath: string, entryPath: string | null): Promise<void> => {
    throwIfAborted(signal);
    if (exclude(sourcePath)) return;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(sourcePath);
    } catch (err) {
      throw new OctozipError('input', `Cannot read ${sourcePath}: ${(err as Error).message}`, { subject: sourcePath, cause: err });
    }
    const base = { sourcePath, mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs };
    if (stat.isDirectory()) {
      if (entryPath !== null) add({ ...base, entryPath, type: 'directory', size: 0, linkTarget: null });
      let names: string[];
      try {
        names = fs.readdirSync(sourcePath);
      } catch (err) {
        throw new OctozipError('input', `Cannot list ${sourcePath}: ${(err as Error).message}`, { subject: sourcePath, cause: err });
      }
      // Byte order of the names keeps archives reproducible across locales.
      names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const name of names) {
        await visit(path.join(sourcePath, name), entryPath === null ? name : `${entryPath}/${name}`);
      }
    } else if (entryPath === null) {
      throw new OctozipError('input', `${sourcePath} is not a folder, so it has no contents to store.`, { subject: sourcePath });
    } else if (stat.isFile()) {
      add({ ...base, entryPath, type: 'file', size: stat.size, linkTarget: null });
    } else if (stat.isSymbolicLink()) {
      const linkTarget = fs.readlinkSync(sourcePath);
      add({ ...base, entryPath, type: 'symlink', size: 0, linkTarget });
    } else {
      notes.push(`Skipped ${sourcePath}: not a file, folder or symbolic link.`);
    }
  };

  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    if (storesContentsOnly(input) || path.basename(absolute) === '') {
      await visit(absolute, null);
    } else {
      await visit(absolute, path.basename(absolute));
    }
  }
  return { entries, notes };
}
