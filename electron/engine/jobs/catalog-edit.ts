// The catalog after an edit (add, delete, compact): the entries that remain, each content they still use
// renumbered in block order, and the data blocks those contents still need. Blocks outside that set hold only
// bytes no entry uses any more and can go.
import type { CatalogContent, ContentRecord, EntryRecord } from '../format/records.ts';

export interface EditedCatalog {
  entries: EntryRecord[];
  contents: CatalogContent[];
  liveBlocks: Set<number>;
}

type ContentLike = Pick<ContentRecord, 'size' | 'slices'> & { crc32: number | null };

/** `entries` name contents by their keys in `contents`; the result is a catalog ready to write. */
export function rebuildCatalog(entries: readonly EntryRecord[], contents: ReadonlyMap<number, ContentLike>): EditedCatalog {
  const used = [...new Set(entries.flatMap((e) => (e.contentId === null ? [] : [e.contentId])))];
  const firstByte = (key: number) => contents.get(key)!.slices[0] ?? { blockId: 0, offset: 0 };
  used.sort((a, b) => firstByte(a).blockId - firstByte(b).blockId || firstByte(a).offset - firstByte(b).offset || a - b);
  const newId = new Map(used.map((key, id) => [key, id]));
  const liveBlocks = new Set<number>();
  const catalogContents = used.map((key, id): CatalogContent => {
    const c = contents.get(key)!;
    for (const slice of c.slices) liveBlocks.add(slice.blockId);
    return { id, size: c.size, crc32: c.crc32 ?? 0, slices: c.slices };
  });
  const byteOrder = (a: EntryRecord, b: EntryRecord) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const catalogEntries = entries
    .map((e) => ({ ...e, contentId: e.contentId === null ? null : newId.get(e.contentId)! }))
    .sort(byteOrder);
  return { entries: catalogEntries, contents: catalogContents, liveBlocks };
}
