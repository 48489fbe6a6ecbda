// The browse view's data: a folder tree and the rows of one folder (or of a search), sorted.
// Archives list files with their full paths; folders that only exist as parents are implied here.
import type { CodecId, EntryInfo, EntryType } from '../../../electron/contract.ts';

export interface FolderNode {
  name: string;
  /** '' for the archive root. */
  path: string;
  children: FolderNode[];
}

export interface EntryRow {
  path: string;
  name: string;
  type: EntryType;
  /** For folders: the sum of everything under them. */
  size: number;
  packedSize: number;
  mtimeMs: number;
  codec: CodecId | null;
}

export type SortKey = 'name' | 'size' | 'packedSize' | 'ratio' | 'mtimeMs' | 'codec';
export type SortDirection = 'ascending' | 'descending';

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every folder path in the archive, explicit or implied by a deeper entry. */
function folderPaths(entries: readonly EntryInfo[]): Set<string> {
  const folders = new Set<string>();
  for (const e of entries) {
    if (e.type === 'directory') folders.add(e.path);
    for (let p = parentOf(e.path); p !== ''; p = parentOf(p)) folders.add(p);
  }
  return folders;
}

export function buildFolderTree(entries: readonly EntryInfo[]): FolderNode {
  const root: FolderNode = { name: '', path: '', children: [] };
  const nodes = new Map<string, FolderNode>([['', root]]);
  for (const path of [...folderPaths(entries)].sort()) {
    const node: FolderNode = { name: nameOf(path), path, children: [] };
    nodes.set(path, node);
  }
  for (const [path, node] of nodes) {
    if (path !== '') nodes.get(parentOf(path))?.children.push(node);
  }
  const sortTree = (n: FolderNode) => {
    n.children.sort((a, b) => a.name.localeCompare(b.name));
    n.children.forEach(sortTree);
  };
  sortTree(root);
  return root;
}

/** The direct children of `folder`, folders carrying the totals of their contents. */
export function rowsInFolder(entries: readonly EntryInfo[], folder: string): EntryRow[] {
  const rows = new Map<string, EntryRow>();
  const prefix = folder === '' ? '' : `${folder}/`;
  for (const e of entries) {
    if (!e.path.startsWith(prefix) || e.path === folder) continue;
    const rest = e.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      const existing = rows.get(e.path);
      rows.set(e.path, {
        path: e.path,
        name: rest,
        type: e.type,
        size: e.type === 'directory' ? (existing?.size ?? 0) : e.size,
        packedSize: e.type === 'directory' ? (existing?.packedSize ?? 0) : e.packedSize,
        mtimeMs: e.mtimeMs,
        codec: e.codec,
      });
    } else {
      const childPath = prefix + rest.slice(0, slash);
      const row = rows.get(childPath) ?? { path: childPath, name: rest.slice(0, slash), type: 'directory' as const, size: 0, packedSize: 0, mtimeMs: 0, codec: null };
      row.size += e.size;
      row.packedSize += e.packedSize;
      row.mtimeMs = Math.max(row.mtimeMs, e.mtimeMs);
      rows.set(childPath, row);
    }
  }
  return [...rows.values()];
}

/** Every entry whose path contains `query` (case-insensitive), shown with its full path. */
export function rowsMatching(entries: readonly EntryInfo[], query: string): EntryRow[] {
  const q = query.trim().toLowerCase();
  return entries
    .filter((e) => e.path.toLowerCase().includes(q))
    .map((e) => ({ path: e.path, name: e.path, type: e.type, size: e.size, packedSize: e.packedSize, mtimeMs: e.mtimeMs, codec: e.codec }));
}

/** raw / packed; null when the entry has no payload of its own (empty, folder of empties, deduplicated twin). */
export function rowRatio(row: EntryRow): number | null {
  return row.size > 0 && row.packedSize > 0 ? row.size / row.packedSize : null;
}

/** Folders first, then by key; ties by name so the order is stable. */
export function sortRows(rows: readonly EntryRow[], key: SortKey, direction: SortDirection): EntryRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const value = (r: EntryRow): number | string => {
    switch (key) {
      case 'name':
        return r.name.toLowerCase();
      case 'ratio':
        return rowRatio(r) ?? -1;
      case 'codec':
        return r.codec ?? '';
      default:
        return r[key];
    }
  };
  return [...rows].sort((a, b) => {
    const folderA = a.type === 'directory' ? 0 : 1;
    const folderB = b.type === 'directory' ? 0 : 1;
    if (folderA !== folderB) return folderA - folderB;
    const va = value(a);
    const vb = value(b);
    const c = typeof va === 'string' ? va.localeCompare(vb as string) : va - (vb as number);
    return c !== 0 ? c * sign : a.name.localeCompare(b.name);
  });
}
