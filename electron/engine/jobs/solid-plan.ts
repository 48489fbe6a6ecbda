// The solid layout of a new archive: unique contents grouped by kind, ordered so that similar files sit together,
// then cut into blocks of at most blockBytes, a new block at each change of kind. Pure: the same inputs give the
// same plan, so an archive does not depend on the machine or the thread count that made it.
import { FILE_KINDS, type FileKind, solidOrderKey } from './file-kinds.ts';

export interface PlannedContent {
  /** The caller's handle on the content (an index into its own list). */
  key: number;
  /** Archive path of the first file with these bytes: what ordering looks at. */
  entryPath: string;
  size: number;
  kind: FileKind;
}

/** A run of one content's bytes inside a block. */
export interface BlockPiece {
  /** Position of the content in the plan's order (its content id in the archive). */
  content: number;
  /** Where the run starts in the content. */
  from: number;
  length: number;
}

export interface BlockPlan {
  kind: FileKind;
  size: number;
  pieces: BlockPiece[];
}

export interface SolidPlan {
  /** Contents in archive order: content id i is contents[i]. */
  contents: PlannedContent[];
  blocks: BlockPlan[];
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

export function planSolidBlocks(contents: readonly PlannedContent[], blockBytes: number): SolidPlan {
  if (!(blockBytes > 0)) throw new RangeError(`block size ${blockBytes}`);
  const keyed = contents.map((c) => ({ c, kind: FILE_KINDS.indexOf(c.kind), order: solidOrderKey(c.entryPath) }));
  keyed.sort((a, b) => a.kind - b.kind || compareKeys(a.order, b.order));
  const ordered = keyed.map((k) => k.c);
  const blocks: BlockPlan[] = [];
  let current: BlockPlan | null = null;
  ordered.forEach((content, id) => {
    let from = 0;
    while (from < content.size) {
      if (!current || current.kind !== content.kind || current.size === blockBytes) {
        current = { kind: content.kind, size: 0, pieces: [] };
        blocks.push(current);
      }
      const length = Math.min(content.size - from, blockBytes - current.size);
      current.pieces.push({ content: id, from, length });
      current.size += length;
      from += length;
    }
  });
  return { contents: ordered, blocks };
}
