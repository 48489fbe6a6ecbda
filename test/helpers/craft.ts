// Hand-built archives for hostile-input tests, written with the real format writer so that only the
// crafted part (an unsafe name, a lying size) differs from a genuine archive.
import crypto from 'node:crypto';
import type { CodecId, ModelRef } from '../../electron/engine/api.ts';
import { crc32 } from '../../electron/engine/format/checksum.ts';
import { FORMAT_VERSION, catalogLayout } from '../../electron/engine/format/schema.ts';
import { openDatabase } from '../../electron/engine/format/database.ts';
import { ArchiveWriter } from '../../electron/engine/format/writer.ts';
import type { CatalogContent, EntryRecord } from '../../electron/engine/format/records.ts';

export interface CraftedEntry extends Partial<EntryRecord> {
  path: string;
  /** File content, stored with the 'store' codec. */
  bytes?: Uint8Array;
}

export interface CraftOptions {
  /** Header models. */
  models?: ModelRef[];
  /** Codec named by every block (the payload is still the raw bytes). */
  codec?: CodecId;
  formatVersion?: number;
}

/**
 * A format-3 catalog cannot hold a path with a 0 byte (layout 2 ends each name with one); format 2's can, so such
 * an archive is crafted as format 2, which a reader must refuse as firmly.
 */
export function craftArchive(archivePath: string, entries: CraftedEntry[], options: CraftOptions = {}): void {
  const version = options.formatVersion ?? (entries.some((e) => e.path.includes('\0')) ? 2 : FORMAT_VERSION);
  const writer = ArchiveWriter.create(archivePath);
  writer.writeHeader({
    formatVersion: version,
    creator: 'octozip-test craft',
    createdAt: new Date(0).toISOString(),
    preset: null,
    blockBytes: 1 << 20,
    codecParams: {},
    models: options.models ?? [],
    encryption: null,
  });
  const records: EntryRecord[] = [];
  const contents: CatalogContent[] = [];
  for (const e of entries) {
    const type = e.type ?? (e.linkTarget ? 'symlink' : e.bytes ? 'file' : 'directory');
    let contentId: number | null = null;
    if (type === 'file') {
      // One block per file, so each crafted file can be damaged on its own.
      const bytes = e.bytes ?? new Uint8Array(0);
      contentId = contents.length;
      const slices = [];
      if (bytes.length > 0) {
        const { id } = writer.addBlock({
          role: 'data',
          codec: options.codec ?? 'store',
          rawSize: bytes.length,
          rawSha256: crypto.createHash('sha256').update(bytes).digest(),
          payload: bytes,
        });
        slices.push({ blockId: id, offset: 0, length: bytes.length });
      }
      contents.push({ id: contentId, size: bytes.length, crc32: crc32(bytes), slices });
    }
    records.push({
      path: e.path,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtimeMs: e.mtimeMs ?? 0,
      size: type === 'file' ? (e.bytes?.length ?? 0) : 0,
      contentId,
      linkTarget: e.linkTarget ?? null,
    });
  }
  writer.writeCatalog(records, contents, catalogLayout(version));
  writer.finish({ vacuum: false });
  if (version < FORMAT_VERSION) {
    const db = openDatabase(archivePath);
    db.pragma(`user_version = ${version}`);
    db.close();
  }
}
