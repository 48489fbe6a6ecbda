// The catalog's two layouts (format/catalog.ts) round-trip any catalog. Entry list: layout 1 interleaves each
// name's shared byte count with its length-prefixed rest, layout 2 (format 3) keeps the counts apart and ends each
// rest with a 0 byte. Content list: layout 1 stores every size, layout 2 each as its difference from the size of
// the first file that names the content, including contents no file names and files whose size disagrees with
// their content's (damage a reader must still see).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContentList, decodeEntryList, encodeContentList, encodeEntryList } from '../../electron/engine/format/catalog.ts';
import type { CatalogContent, EntryRecord } from '../../electron/engine/format/records.ts';

const catalog = fc
  .array(fc.record({ size: fc.nat({ max: 1 << 20 }), crc32: fc.nat({ max: 0xffffffff }) }), { maxLength: 12 })
  .chain((sizes) =>
    fc.record({
      contents: fc.constant(
        sizes.map(({ size, crc32 }, id): CatalogContent => ({ id, size, crc32, slices: size === 0 ? [] : [{ blockId: 1 + id, offset: 0, length: size }] })),
      ),
      // Files naming contents (several may share one, some contents are named by none), each with a size that
      // is usually its content's.
      files: fc.array(fc.record({ content: fc.nat({ max: Math.max(0, sizes.length - 1) }), skew: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -5, max: 5 })) }), {
        maxLength: 16,
      }),
    }),
  );

function entriesFor(contents: readonly CatalogContent[], files: readonly { content: number; skew: number }[]): EntryRecord[] {
  return files
    .filter((f) => f.content < contents.length)
    .map((f, i) => ({
      path: `f${i}`,
      type: 'file' as const,
      mode: 0o644,
      mtimeMs: 0,
      size: Math.max(0, contents[f.content]!.size + f.skew),
      contentId: f.content,
      linkTarget: null,
    }));
}

// Paths from a small alphabet, so that neighbours share prefixes; any Unicode but the 0 byte.
const paths = fc.array(fc.oneof(fc.stringMatching(/^[ab/.]{0,12}$/), fc.string({ unit: 'grapheme', maxLength: 8 }).filter((p) => !p.includes('\0'))), { maxLength: 20 });
const entryList = paths.chain((names) =>
  fc.tuple(
    ...names.map((path) =>
      fc.record({
        path: fc.constant(path),
        type: fc.constantFrom('file' as const, 'directory' as const, 'symlink' as const),
        mode: fc.nat({ max: 0o7777 }),
        mtimeMs: fc.integer({ min: -1e12, max: 4e12 }),
        size: fc.nat({ max: 2 ** 40 }),
        contentId: fc.nat({ max: 50 }),
        linkTarget: fc.string({ maxLength: 10 }),
      }),
    ),
  ).map((list) =>
    list.map((e): EntryRecord => ({
      ...e,
      size: e.type === 'file' ? e.size : 0,
      contentId: e.type === 'file' ? e.contentId : null,
      linkTarget: e.type === 'symlink' ? e.linkTarget : null,
    })),
  ),
);

describe('the entry list', () => {
  it.each([1, 2] as const)('layout %i decodes to exactly what was encoded', (layout) => {
    fc.assert(
      fc.property(entryList, (entries) => {
        const bytes = encodeEntryList(entries, layout);
        expect(bytes[0]).toBe(layout);
        expect(decodeEntryList(bytes)).toEqual(entries);
      }),
      { numRuns: 300 },
    );
  });

  it('layout 2 refuses to write a path holding a 0 byte, which would end its name early', () => {
    const entry: EntryRecord = { path: 'a\0b', type: 'directory', mode: 0o755, mtimeMs: 0, size: 0, contentId: null, linkTarget: null };
    expect(() => encodeEntryList([entry], 2)).toThrow(RangeError);
    expect(decodeEntryList(encodeEntryList([entry], 1))).toEqual([entry]);
  });
});

describe('the content list', () => {
  it.each([1, 2] as const)('layout %i decodes to exactly what was encoded, against the same entries', (layout) => {
    fc.assert(
      fc.property(catalog, ({ contents, files }) => {
        const entries = entriesFor(contents, files);
        const bytes = encodeContentList(contents, layout, entries);
        expect(bytes[0]).toBe(layout);
        expect(decodeContentList(bytes, () => entries)).toEqual(contents);
      }),
      { numRuns: 300 },
    );
  });

  it('layout 2 spends nothing on sizes the entry list already holds', () => {
    const contents: CatalogContent[] = Array.from({ length: 1000 }, (_, id) => ({ id, size: 100_000 + id * 37, crc32: 0, slices: [{ blockId: 1, offset: id * 200_000, length: 100_000 + id * 37 }] }));
    const entries = entriesFor(contents, contents.map((_, id) => ({ content: id, skew: 0 })));
    const one = encodeContentList(contents, 1, entries);
    const two = encodeContentList(contents, 2, entries);
    // Three-byte varints in layout 1, one zero byte each in layout 2.
    expect(one.length - two.length).toBe(2000);
  });

  it('layout 2 reads the entries only when it needs them', () => {
    const contents: CatalogContent[] = [{ id: 0, size: 5, crc32: 7, slices: [{ blockId: 1, offset: 0, length: 5 }] }];
    const never = () => {
      throw new Error('entries read for layout 1');
    };
    expect(decodeContentList(encodeContentList(contents, 1, []), never)).toEqual(contents);
  });
});
