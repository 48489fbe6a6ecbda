// The recent-archives catalog on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog, CATALOG_LIMIT } from '../../electron/app/catalog.ts';

let dir: string;
let clock: number;
const now = () => new Date(clock++ * 1000);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'octozip-catalog-'));
  clock = 1_800_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stats = { sizeBytes: 1000, entries: 3, ratio: 2.5, model: 'octo-mlp-v1' };

describe('Catalog', () => {
  it('lists the most recently opened first and keeps the last verify across reopening', () => {
    const file = join(dir, 'catalog.sqlite');
    const c = new Catalog(file, now);
    c.remember({ archivePath: '/a.octz', ...stats });
    c.remember({ archivePath: '/b.octz', ...stats, entries: 7 });
    c.recordVerify('/a.octz', false, '2027-01-01T00:00:00.000Z');
    c.remember({ archivePath: '/a.octz', ...stats, sizeBytes: 2000 });
    c.close();

    const reopened = new Catalog(file, now);
    const list = reopened.list();
    expect(list.map((r) => r.path)).toEqual(['/a.octz', '/b.octz']);
    expect(list[0]).toMatchObject({ sizeBytes: 2000, entries: 3, ratio: 2.5, model: 'octo-mlp-v1', lastVerifyOk: false, lastVerifiedAt: '2027-01-01T00:00:00.000Z' });
    expect(list[1]).toMatchObject({ entries: 7, lastVerifyOk: null, lastVerifiedAt: null });
    reopened.recordVerify('/a.octz', true, '2027-01-02T00:00:00.000Z');
    expect(reopened.list()[0]!.lastVerifyOk).toBe(true);
    reopened.forget('/a.octz');
    expect(reopened.list().map((r) => r.path)).toEqual(['/b.octz']);
    reopened.close();
  });

  it(`keeps at most ${CATALOG_LIMIT} archives, dropping the oldest`, () => {
    const c = new Catalog(join(dir, 'catalog.sqlite'), now);
    for (let i = 0; i < CATALOG_LIMIT + 5; i++) c.remember({ archivePath: `/a${i}.octz`, ...stats });
    const list = c.list();
    expect(list).toHaveLength(CATALOG_LIMIT);
    expect(list[0]!.path).toBe(`/a${CATALOG_LIMIT + 4}.octz`);
    expect(list.at(-1)!.path).toBe('/a5.octz');
    c.close();
  });
});
