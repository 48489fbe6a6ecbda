// Drag-out staging: entries dragged out of the window are extracted to a folder of the app's own, then handed
// to the OS drag. The folders hold decrypted content, so they live under the user's data folder (not a shared
// /tmp), are removed on quit, and whatever a crash or kill left behind is swept at the next start.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { OctozipError } from '../engine/index.ts';

export const DRAG_FOLDER_PREFIX = 'octozip-drag-';

/** A fresh, private folder for one drag under `root` (created, owner-only, if missing). */
export async function makeDragFolder(root: string): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  return mkdtemp(join(root, DRAG_FOLDER_PREFIX));
}

/**
 * Removes the drag folders an earlier run left under `root`. Only one Octozip runs at a time (single-instance
 * lock), so none of them is in use. Returns how many were removed.
 */
export async function sweepDragFolders(root: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return 0;
  }
  const stale = names.filter((n) => n.startsWith(DRAG_FOLDER_PREFIX));
  await Promise.all(stale.map((n) => rm(join(root, n), { recursive: true, force: true })));
  return stale.length;
}

function isPlainEntryPath(entry: string): boolean {
  return entry.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\') && !part.includes(':'));
}

/**
 * Where each dragged entry lands in `folder`. Every name must be an entry the archive lists, in plain form, and
 * land inside `folder`: the renderer supplies the names, and they are joined onto a path of main's own.
 */
export function dragTargets(folder: string, entries: readonly string[], listed: ReadonlySet<string>): string[] {
  return entries.map((entry) => {
    if (!listed.has(entry)) throw new OctozipError('input', `The archive has no entry "${entry}".`, { subject: entry });
    const target = join(folder, ...entry.split('/'));
    const inside = relative(folder, target);
    if (!isPlainEntryPath(entry) || inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      throw new OctozipError('unsafe-path', `Refusing to drag out "${entry}": it would land outside the drag folder.`, { subject: entry });
    }
    return target;
  });
}
