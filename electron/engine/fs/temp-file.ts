// Temp files beside their destination, named so a person can tell what they are and whose they are:
// `.<name>.octozip-tmp-<pid>-<random>`. Renaming within one folder is atomic, so a destination is either
// absent, its old self, or complete.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MARKER = '.octozip-tmp-';

/** Most bytes of the destination's name kept in a temp name, so the temp name fits NAME_MAX (255). */
const MAX_STEM_BYTES = 160;

/** `.<name>.octozip-tmp-`, with long names cut (on a character boundary) to leave room for the suffix. */
export function tempNamePrefix(destination: string): string {
  let name = path.basename(destination);
  while (Buffer.byteLength(name) > MAX_STEM_BYTES) name = Array.from(name).slice(0, -1).join('');
  return `.${name}${MARKER}`;
}

export function tempPathBeside(destination: string): string {
  const suffix = `${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  return path.join(path.dirname(destination), `${tempNamePrefix(destination)}${suffix}`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes temp files for `destination` left by processes that no longer run (a crash or kill -9). */
export function removeStaleTempFiles(destination: string): void {
  const prefix = tempNamePrefix(destination);
  removeDeadWritersFiles(path.dirname(destination), (name) =>
    name.startsWith(prefix) ? Number(name.slice(prefix.length).split('-')[0]) : null,
  );
}

/**
 * Deletes every Octozip temp file in `dir` (any destination name, nested staging names too) whose writing
 * process no longer runs: the next extract into a folder, or add to an archive, cleans up after a kill -9.
 */
export function removeStaleTempFilesIn(dir: string): void {
  removeDeadWritersFiles(dir, (name) => {
    const match = name.startsWith('.') ? /\.octozip-tmp-(\d+)-/.exec(name) : null;
    return match ? Number(match[1]) : null;
  });
}

/** Removes, best effort, the files in `dir` whose name names (through `writerPid`) a process that has ended. */
function removeDeadWritersFiles(dir: string, writerPid: (name: string) => number | null): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = writerPid(name);
    if (pid !== null && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processIsAlive(pid)) {
      removeQuietly(path.join(dir, name));
    }
  }
}

export function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Best effort on a failure path; the original error is what the user needs to see.
  }
}

/** Removes a temp database and any journal SQLite kept beside it. */
export function removeDatabaseQuietly(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) removeQuietly(file + suffix);
}

/** fsyncs a file, then its folder after a rename, so the rename survives a power cut. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function fsyncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not supported on every platform (Windows); the rename itself is still atomic.
  }
}

/** Makes a finished temp file the destination: synced, renamed over it, and the rename itself synced. */
export function publishTempFile(tempPath: string, destination: string): void {
  fsyncFile(tempPath);
  fs.renameSync(tempPath, destination);
  fsyncDirectory(path.dirname(destination));
}
