// The catalog: the entry list and the content list of a format-2 or -3 archive as compact binary, each stored (coded
// by a codec, sealed when encrypted) as a block of its own. Why not one SQL row per entry: names, modes, times
// and sizes of a real tree repeat so much that a column-wise binary list coded with brotli costs a few bytes per
// entry, where rows with full paths, a hash and an index cost hundreds (docs/FORMAT.md, "Catalog").
//
// Entry list, version 1: u8 1 | varint count | seven length-prefixed columns, one value per entry where it applies:
//   types (u8: 0 file, 1 folder, 2 link) | names (varint bytes shared with the previous name, then the rest as
//   length-prefixed UTF-8) | modes (varint) | mtimes (zigzag delta from the previous entry's, ms) | sizes (files:
//   varint) | contents (files: zigzag delta of the content index from the previous file's + 1) | links (links:
//   length-prefixed UTF-8 target)
// Content list, version 1: u8 1 | varint count | sizes (varint) | crc32s (u32 LE) | slices (per content: varint
//   count, then per slice zigzag block-id delta from the previous slice's, zigzag offset delta from where the
//   previous slice ended (0 in a new block), and the length except for the last slice, which takes the rest).
// Layout 2 (format 3) changes two columns; measured on the curl tree's catalog (4,494 entries), brotli-coded:
// - Entry list, names: first every name's shared byte count (varints, as a length-prefixed chunk), then every
//   name's rest, each ended by a 0 byte (no path holds one). Counts apart from text, and text without length
//   bytes in it, code smaller: 10,887 -> 9,645 bytes.
// - Content list, sizes: each is zigzag(size - the size of the first file in the entry list that names the
//   content, or 0 if none), so nearly every one is 0. The entry list holds every file's size already (it must:
//   listing an archive with visible names reads it alone); the repeated sizes were 7 KB of the 24.9 KB list.
import type { EntryType } from '../api.ts';
import { ByteReader, ByteWriter } from './byte-stream.ts';
import type { CatalogContent, EntryRecord, Slice } from './records.ts';

/** Catalog layouts, the first byte of each list: 1 in format 2, 2 from format 3 (schema.ts, catalogLayout). */
export type CatalogLayout = 1 | 2;
const TYPES: readonly EntryType[] = ['file', 'directory', 'symlink'];
const utf8 = new TextEncoder();

/** Entries in archive order; contentId is an index into the content list (files), null otherwise. */
export function encodeEntryList(entries: readonly EntryRecord[], layout: CatalogLayout): Uint8Array {
  const types = new ByteWriter();
  const names = new ByteWriter();
  const shares = new ByteWriter();
  const modes = new ByteWriter();
  const mtimes = new ByteWriter();
  const sizes = new ByteWriter();
  const contents = new ByteWriter();
  const links = new ByteWriter();
  let previousName = new Uint8Array(0);
  let previousMtime = 0;
  let previousContent = -1;
  for (const entry of entries) {
    types.byte(TYPES.indexOf(entry.type));
    const name = utf8.encode(entry.path);
    let shared = 0;
    const limit = Math.min(name.length, previousName.length);
    while (shared < limit && name[shared] === previousName[shared]) shared++;
    if (layout === 1) {
      names.varint(shared);
      names.chunk(name.subarray(shared));
    } else {
      if (name.includes(0)) throw new RangeError(`a path holds a 0 byte: ${JSON.stringify(entry.path)}`);
      shares.varint(shared);
      names.bytes(name.subarray(shared));
      names.byte(0);
    }
    previousName = name;
    modes.varint(entry.mode & 0o7777);
    const mtime = Math.trunc(entry.mtimeMs);
    mtimes.signed(mtime - previousMtime);
    previousMtime = mtime;
    if (entry.type === 'file') {
      sizes.varint(entry.size);
      contents.signed(entry.contentId! - (previousContent + 1));
      previousContent = entry.contentId!;
    } else if (entry.type === 'symlink') {
      links.chunk(utf8.encode(entry.linkTarget ?? ''));
    }
  }
  const out = new ByteWriter();
  out.byte(layout);
  out.varint(entries.length);
  let namesColumn = names.finish();
  if (layout === 2) {
    const both = new ByteWriter();
    both.chunk(shares.finish());
    both.bytes(namesColumn);
    namesColumn = both.finish();
  }
  for (const column of [types.finish(), namesColumn, modes.finish(), mtimes.finish(), sizes.finish(), contents.finish(), links.finish()]) out.chunk(column);
  return out.finish();
}

/** Reads names from a names column: layout 1 interleaves counts and length-prefixed rests, 2 keeps them apart. */
class NameReader {
  readonly #shares: ByteReader;
  readonly #rests: ByteReader;
  readonly #layout: CatalogLayout;

  constructor(column: ByteReader, layout: CatalogLayout, what: string) {
    this.#layout = layout;
    this.#shares = layout === 1 ? column : new ByteReader(column.chunk(), what);
    this.#rests = column;
  }

  /** The next name's shared byte count and rest. */
  next(): { shared: number; rest: Uint8Array } {
    const shared = this.#shares.varint();
    return { shared, rest: this.#layout === 1 ? this.#rests.chunk() : this.#rests.untilZero() };
  }

  end(): void {
    this.#shares.end();
    this.#rests.end();
  }
}

export function decodeEntryList(bytes: Uint8Array): EntryRecord[] {
  const what = 'entry list';
  const head = new ByteReader(bytes, what);
  const layout = head.byte();
  if (layout !== 1 && layout !== 2) throw head.damaged('unknown layout version');
  const count = head.varint();
  const [types, nameColumn, modes, mtimes, sizes, contents, links] = Array.from({ length: 7 }, () => new ByteReader(head.chunk(), what));
  head.end();
  const names = new NameReader(nameColumn!, layout, what);
  // Every entry has a type byte, so the type column bounds the count before anything is allocated.
  if (count !== types!.remaining) throw head.damaged(`it claims ${count} entries but has ${types!.remaining} types`);
  const entries: EntryRecord[] = [];
  let previousName = new Uint8Array(0);
  let previousMtime = 0;
  let previousContent = -1;
  for (let i = 0; i < count; i++) {
    const type = TYPES[types!.byte()];
    if (type === undefined) throw head.damaged(`entry ${i} has an unknown type`);
    const { shared, rest } = names.next();
    if (shared > previousName.length) throw head.damaged(`entry ${i}'s name shares more than the previous name has`);
    const name = new Uint8Array(shared + rest.length);
    name.set(previousName.subarray(0, shared));
    name.set(rest, shared);
    previousName = name;
    const path = new ByteReader(name, what).text(name.length);
    const mode = modes!.varint();
    if (mode > 0o7777) throw head.damaged(`entry ${i} has impossible permission bits`);
    previousMtime += mtimes!.signed();
    if (!Number.isSafeInteger(previousMtime)) throw head.damaged(`entry ${i} has an impossible time`);
    const entry: EntryRecord = { path, type, mode, mtimeMs: previousMtime, size: 0, contentId: null, linkTarget: null };
    if (type === 'file') {
      entry.size = sizes!.varint();
      const contentId = previousContent + 1 + contents!.signed();
      if (contentId < 0 || !Number.isSafeInteger(contentId)) throw head.damaged(`entry ${i} names an impossible content`);
      entry.contentId = previousContent = contentId;
    } else if (type === 'symlink') {
      const target = links!.chunk();
      entry.linkTarget = new ByteReader(target, what).text(target.length);
    }
    entries.push(entry);
  }
  names.end();
  for (const column of [types, modes, mtimes, sizes, contents, links]) column!.end();
  return entries;
}

/** Each content's size as the entry list gives it: the size of the first file that names it. */
function namedSizes(entries: readonly EntryRecord[]): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const entry of entries) {
    if (entry.type === 'file' && entry.contentId !== null && !sizes.has(entry.contentId)) sizes.set(entry.contentId, entry.size);
  }
  return sizes;
}

/** Layout 2 codes sizes against `entries`, the entry list written beside it (decodeContentList gets it back). */
export function encodeContentList(contents: readonly CatalogContent[], layout: CatalogLayout, entries: readonly EntryRecord[]): Uint8Array {
  const named = layout === 2 ? namedSizes(entries) : null;
  const sizes = new ByteWriter();
  const crcs = new ByteWriter();
  const slices = new ByteWriter();
  let previousBlock = 0;
  let previousEnd = 0;
  for (const [id, content] of contents.entries()) {
    if (named) sizes.signed(content.size - (named.get(id) ?? 0));
    else sizes.varint(content.size);
    crcs.u32(content.crc32);
    slices.varint(content.slices.length);
    content.slices.forEach((slice, i) => {
      const expectedOffset = slice.blockId === previousBlock ? previousEnd : 0;
      slices.signed(slice.blockId - previousBlock);
      slices.signed(slice.offset - expectedOffset);
      if (i < content.slices.length - 1) slices.varint(slice.length);
      previousBlock = slice.blockId;
      previousEnd = slice.offset + slice.length;
    });
  }
  const out = new ByteWriter();
  out.byte(layout);
  out.varint(contents.length);
  for (const column of [sizes, crcs, slices]) out.chunk(column.finish());
  return out.finish();
}

/**
 * The content list, checked for shape only: each content's slices are positive and add up to its size. Whether
 * they lie inside real blocks, without overlapping, is the reader's check (it knows the blocks).
 */
export function decodeContentList(bytes: Uint8Array, entries: () => readonly EntryRecord[]): CatalogContent[] {
  const what = 'content list';
  const head = new ByteReader(bytes, what);
  const layout = head.byte();
  if (layout !== 1 && layout !== 2) throw head.damaged('unknown layout version');
  const named = layout === 2 ? namedSizes(entries()) : null;
  const count = head.varint();
  const [sizes, crcs, slices] = Array.from({ length: 3 }, () => new ByteReader(head.chunk(), what));
  head.end();
  if (count * 4 !== crcs!.remaining) throw head.damaged(`it claims ${count} contents but has ${crcs!.remaining / 4} checksums`);
  const contents: CatalogContent[] = [];
  let previousBlock = 0;
  let previousEnd = 0;
  for (let id = 0; id < count; id++) {
    const size = named ? (named.get(id) ?? 0) + sizes!.signed() : sizes!.varint();
    if (size < 0 || !Number.isSafeInteger(size)) throw head.damaged(`content ${id} has an impossible size`);
    const crc32 = crcs!.u32();
    // Every slice takes at least two bytes of the column, which bounds the count.
    const sliceCount = slices!.count(2);
    if ((size === 0) !== (sliceCount === 0)) throw head.damaged(`content ${id} has ${sliceCount} slices for ${size} bytes`);
    const list: Slice[] = [];
    let left = size;
    for (let i = 0; i < sliceCount; i++) {
      const blockId = previousBlock + slices!.signed();
      const offset = (blockId === previousBlock ? previousEnd : 0) + slices!.signed();
      const length = i < sliceCount - 1 ? slices!.varint() : left;
      if (!Number.isSafeInteger(blockId) || offset < 0 || length <= 0 || length > left) {
        throw head.damaged(`slice ${i} of content ${id} is impossible`);
      }
      left -= length;
      list.push({ blockId, offset, length });
      previousBlock = blockId;
      previousEnd = offset + length;
    }
    contents.push({ id, size, crc32, slices: list });
  }
  for (const column of [sizes, crcs, slices]) column!.end();
  return contents;
}
