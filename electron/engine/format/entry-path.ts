// Archive entry paths: what is allowed in an archive, checked when creating and again, distrustfully, when
// extracting (a crafted archive can hold anything). One rule set for every OS, so an archive made on Linux
// never holds a name that would escape or misbehave on Windows.
import path from 'node:path';

// Windows device names, reserved with any extension ("con.txt" opens the console).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Returns why an archive path is unsafe, or null when it is safe. */
export function entryPathProblem(entryPath: string, platform: NodeJS.Platform = process.platform): string | null {
  if (entryPath.length === 0) return 'the path is empty';
  if (entryPath.includes('\0')) return 'the path contains a NUL character';
  if (entryPath.includes('\\')) return 'the path contains a backslash';
  if (entryPath.startsWith('/') || /^[a-zA-Z]:/.test(entryPath)) return 'the path is absolute';
  for (const segment of entryPath.split('/')) {
    if (segment === '') return 'the path has an empty segment';
    if (segment === '..' || segment === '.') return `the path contains "${segment}"`;
    if (platform === 'win32') {
      if (WINDOWS_RESERVED.test(segment)) return `"${segment}" is a reserved name on Windows`;
      if (/[<>:"|?*\x01-\x1f]/.test(segment)) return `"${segment}" has characters Windows does not allow`;
      if (/[. ]$/.test(segment)) return `"${segment}" ends with a dot or space, which Windows drops`;
    }
  }
  return null;
}

/**
 * Returns why a symlink target is unsafe, or null. A target must be relative and stay inside the extraction
 * folder. '..' may only lead the target: "a/../.." resolves through whatever "a" is on disk (perhaps another
 * link), so only a target of the form (../)*name/name... can be judged without touching the disk.
 */
export function linkTargetProblem(linkPath: string, target: string): string | null {
  if (target.length === 0) return 'the link target is empty';
  if (target.includes('\0')) return 'the link target contains a NUL character';
  if (target.includes('\\')) return 'the link target contains a backslash';
  if (target.startsWith('/') || /^[a-zA-Z]:/.test(target)) return `the link points to an absolute path (${target})`;
  let ups = 0;
  let seenName = false;
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (seenName) return `the link target "${target}" has ".." after a name`;
      ups++;
    } else {
      seenName = true;
    }
  }
  const depth = linkPath.split('/').length - 1; // folders above the link inside the destination
  if (ups > depth) return `the link points outside the destination (${target})`;
  return null;
}

/** Joins a validated archive path onto a destination folder. */
export function destinationPath(destDir: string, entryPath: string): string {
  return path.join(destDir, ...entryPath.split('/'));
}
