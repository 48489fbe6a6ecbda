// The renderer's pure logic: number formatting, the browse table's tree/rows/sort, the saved verify report.
import { describe, expect, it } from 'vitest';
import type { EntryInfo } from '../../electron/engine/api.ts';
import { buildFolderTree, rowsInFolder, rowsMatching, sortRows } from '../../renderer/src/lib/entry-table.ts';
import {
  baseName,
  describeGainOverClassical,
  dirName,
  estimateSecondsLeft,
  formatBytes,
  formatDuration,
  formatRatio,
} from '../../renderer/src/lib/format.ts';
import { verifyReportText } from '../../renderer/src/lib/verify-report-text.ts';

const entry = (path: string, size: number, packedSize: number, type: EntryInfo['type'] = 'file'): EntryInfo => ({
  path,
  type,
  mode: 0o644,
  mtimeMs: 1_700_000_000_000 + size,
  size,
  packedSize,
  codec: type === 'file' && size > 0 ? 'brotli' : null,
});

const entries: EntryInfo[] = [
  entry('docs', 0, 0, 'directory'),
  entry('docs/a.txt', 300, 100),
  entry('docs/deep/b.txt', 1000, 250),
  entry('z.bin', 50, 60),
  entry('empty', 0, 0),
];

describe('format', () => {
  it('writes sizes, times, ratios and gains the way the UI shows them', () => {
    expect([0, 999, 1000, 1234, 12_345, 999_499, 1_500_000_000].map(formatBytes)).toEqual(['0 B', '999 B', '1.00 kB', '1.23 kB', '12.3 kB', '999 kB', '1.50 GB']);
    expect([0.01, 0.42, 12.4, 75, 3725].map(formatDuration)).toEqual(['under 0.1 s', '0.4 s', '12 s', '1 min 15 s', '1 h 2 min']);
    expect(formatRatio(1000, 250)).toBe('4.00×');
    expect(formatRatio(0, 0)).toBe('—');
    expect(estimateSecondsLeft(25, 100, 5)).toBe(15);
    expect(estimateSecondsLeft(0, 100, 0)).toBeNull();
    expect(describeGainOverClassical(80, 100)).toBe('20% smaller than brotli alone.');
    expect(describeGainOverClassical(100, 100)).toBe('Same size as brotli alone.');
    expect(describeGainOverClassical(100, null)).toMatch(/^Not compared with brotli/);
    expect(baseName('/home/u/a.octz')).toBe('a.octz');
    expect(baseName('C:\\Users\\u\\b.octz')).toBe('b.octz');
    expect(dirName('/home/u/a.octz')).toBe('/home/u');
    expect(dirName('/a.octz')).toBe('/');
  });
});

describe('entry table', () => {
  it('builds the folder tree, including folders only implied by deeper entries', () => {
    const tree = buildFolderTree(entries);
    expect(tree.children.map((c) => c.path)).toEqual(['docs']);
    expect(tree.children[0]!.children.map((c) => c.path)).toEqual(['docs/deep']);
  });

  it('shows a folder’s direct children with folder totals', () => {
    const root = rowsInFolder(entries, '');
    expect(root.map((r) => r.path).sort()).toEqual(['docs', 'empty', 'z.bin']);
    expect(root.find((r) => r.path === 'docs')).toMatchObject({ type: 'directory', size: 1300, packedSize: 350 });
    const docs = rowsInFolder(entries, 'docs');
    expect(docs.map((r) => r.path).sort()).toEqual(['docs/a.txt', 'docs/deep']);
    expect(docs.find((r) => r.path === 'docs/deep')).toMatchObject({ type: 'directory', size: 1000 });
  });

  it('filters across the whole archive and sorts folders first, then by the chosen column', () => {
    expect(rowsMatching(entries, 'TXT').map((r) => r.path)).toEqual(['docs/a.txt', 'docs/deep/b.txt']);
    const root = rowsInFolder(entries, '');
    expect(sortRows(root, 'size', 'descending').map((r) => r.name)).toEqual(['docs', 'z.bin', 'empty']);
    expect(sortRows(root, 'size', 'ascending').map((r) => r.name)).toEqual(['docs', 'empty', 'z.bin']);
    // Ratio: entries without payload sort as the lowest.
    expect(sortRows(root, 'ratio', 'descending').map((r) => r.name)).toEqual(['docs', 'z.bin', 'empty']);
    expect(sortRows(root, 'name', 'descending').map((r) => r.name)).toEqual(['docs', 'z.bin', 'empty']);
  });
});

describe('verify report text', () => {
  it('lists every entry with its verdict and the archive-level problems', () => {
    const text = verifyReportText(
      '/a.octz',
      {
        ok: false,
        problems: ['The integrity check failed.'],
        entries: [
          { path: 'a.txt', verdict: 'intact' },
          { path: 'b.txt', verdict: 'damaged', problem: 'Chunk 1 fails its checksum.' },
        ],
        seconds: 0.5,
      },
      new Date('2027-01-01T00:00:00Z'),
    );
    expect(text).toContain('Result: PROBLEMS FOUND');
    expect(text).toContain('Entries: 2 (1 intact, 1 damaged, 0 missing model)');
    expect(text).toContain('  The integrity check failed.');
    expect(text).toContain('  damaged       b.txt — Chunk 1 fails its checksum.');
  });
});
