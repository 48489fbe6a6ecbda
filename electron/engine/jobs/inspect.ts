// list and info: read the header and the catalog only; no file data is decoded, so both stay instant.
import fs from 'node:fs';
import path from 'node:path';
import type { ArchiveInfo, ArchiveListing, CodecId, EntryInfo } from '../api.ts';
import { isKnownCodec } from '../codecs/registry.ts';
import { ArchiveReader } from '../format/reader.ts';
import type { ContentRecord } from '../format/records.ts';

export interface InspectOptions {
  password?: string;
  signal?: AbortSignal;
}

/** Both call shapes are accepted: `(path, { password })` and `({ archivePath, password })`. */
export type InspectTarget = string | (InspectOptions & { archivePath: string });

function targetPath(target: InspectTarget): string {
  return typeof target === 'string' ? target : target.archivePath;
}

function infoOf(reader: ArchiveReader): ArchiveInfo {
  const { header } = reader;
  const codecs = reader.codecsUsed().filter(isKnownCodec) as CodecId[];
  const stats = reader.stats();
  return {
    formatVersion: header.formatVersion,
    creator: header.creator,
    createdAt: header.createdAt,
    entries: stats.entries,
    files: stats.files,
    rawBytes: stats.rawBytes,
    packedBytes: stats.packedBytes,
    archiveBytes: fs.statSync(reader.archivePath).size,
    codecs,
    models: header.models.map((m) => ({ name: m.name, sha256: m.sha256 })),
    codecParams: header.codecParams,
    encrypted: header.encryption !== null,
    namesEncrypted: header.encryption?.['namesEncrypted'] === true,
  };
}

function passwordOf(target: InspectTarget, options: InspectOptions): string | undefined {
  return (typeof target === 'string' ? undefined : target.password) ?? options.password;
}

/**
 * Opens the archive and, when a password is given or the names are hidden, unlocks it (so a hidden-names
 * archive lists only with its password). Visible names list without one; hashes then stay unknown.
 */
async function withReader<T>(
  archivePath: string,
  password: string | undefined,
  needNames: boolean,
  fn: (reader: ArchiveReader) => T,
): Promise<T> {
  const reader = ArchiveReader.open(path.resolve(archivePath));
  try {
    if (password !== undefined || (needNames && reader.namesHidden)) await reader.unlock(password);
    return fn(reader);
  } finally {
    reader.close();
  }
}

export async function archiveInfo(target: InspectTarget, options: InspectOptions = {}): Promise<ArchiveInfo> {
  // The header is readable without a password; counts of a hidden-names archive are of its placeholders.
  return withReader(targetPath(target), passwordOf(target, options), false, (reader) => infoOf(reader));
}

export async function listArchive(target: InspectTarget, options: InspectOptions = {}): Promise<ArchiveListing> {
  return withReader(targetPath(target), passwordOf(target, options), true, (reader) => {
    const entries = reader.entries();
    // A locked encrypted archive with visible names lists names and sizes; what lies where needs the password.
    const contents = reader.contentsReadable ? reader.contents() : new Map<number, ContentRecord>();
    const blocks = reader.blocks();
    const counted = new Set<number>();
    const listed: EntryInfo[] = entries.map((e) => {
      const info: EntryInfo = { path: e.path, type: e.type, mode: e.mode, mtimeMs: e.mtimeMs, size: e.size, packedSize: 0, codec: null };
      if (e.type === 'symlink' && e.linkTarget !== null) info.linkTarget = e.linkTarget;
      const content = e.contentId === null ? undefined : contents.get(e.contentId);
      if (e.type === 'file' && content) {
        if (content.sha256) info.sha256 = content.sha256;
        // A deduplicated twin shows 0: its bytes are counted once, on the first entry that uses them.
        if (!counted.has(content.id)) {
          counted.add(content.id);
          info.packedSize = content.packedSize;
        }
        const codec = content.slices[0] ? blocks.get(content.slices[0].blockId)?.codec : undefined;
        info.codec = codec !== undefined && isKnownCodec(codec) ? codec : null;
      }
      return info;
    });
    return { info: infoOf(reader), entries: listed };
  });
}
