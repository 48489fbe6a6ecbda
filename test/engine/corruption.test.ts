// Damage: a flipped bit in any payload is always found; a flipped byte anywhere in the file or a truncation
// either is found or provably harmless; extract never leaves a wrong byte under a real name.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractArchive, OctozipError, verifyArchive } from '../../electron/engine/index.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { openDatabase } from '../../electron/engine/format/database.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { leftoverTempFiles, snapshot, tempDir } from '../helpers/tree.ts';

let root: string;
let cleanup: () => void;
let pristine: string;
let original: ReturnType<typeof snapshot>;
let copies = 0;

beforeAll(async () => {
  ({ dir: root, cleanup } = tempDir());
  const src = path.join(root, 'src');
  fs.mkdirSync(path.join(src, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(src, 'docs', 'text.txt'), 'The quick brown fox jumps over the lazy dog.\n'.repeat(400));
  fs.writeFileSync(path.join(src, 'random.bin'), crypto.randomBytes(6000));
  fs.writeFileSync(path.join(src, 'small.txt'), 'tiny');
  fs.symlinkSync('docs/text.txt', path.join(src, 'link'));
  pristine = path.join(root, 'pristine.octz');
  // Small chunks so the file holds several chunks of both codecs.
  await createArchiveWithSettings({ archivePath: pristine, inputs: ['.'], cwd: src }, { ...PRESETS.fast, blockBytes: 4096 });
  original = snapshot(src);
});
afterAll(() => cleanup());

function freshCopy(): string {
  const copy = path.join(root, `copy-${copies++}.octz`);
  fs.copyFileSync(pristine, copy);
  return copy;
}

/** Extracts; if it succeeds, every file it wrote must equal the original. Returns whether it succeeded. */
async function extractNeverWrong(archivePath: string): Promise<boolean> {
  const out = path.join(root, `out-${copies++}`);
  try {
    await extractArchive({ archivePath, destDir: out });
  } catch (err) {
    expect(err).toBeInstanceOf(OctozipError);
    if (fs.existsSync(out)) {
      expect(leftoverTempFiles(out)).toEqual([]);
      for (const [p, entry] of snapshot(out)) if (entry.type === 'file') expect(entry.sha256).toBe(original.get(p)?.sha256);
    }
    return false;
  }
  expect(snapshot(out)).toEqual(original);
  return true;
}

async function verdict(archivePath: string): Promise<'ok' | 'found'> {
  try {
    return (await verifyArchive({ archivePath })).ok ? 'ok' : 'found';
  } catch (err) {
    expect(err).toBeInstanceOf(OctozipError);
    return 'found';
  }
}

describe('corruption', () => {
  it('a single flipped bit in any payload is found by verify and refused by extract', async () => {
    const db = openDatabase(pristine, { readonly: true });
    const chunks = db.prepare('SELECT id, length(payload) AS size, codec FROM chunk').all() as { id: number; size: number; codec: string }[];
    db.close();
    expect(new Set(chunks.map((c) => c.codec))).toEqual(new Set(['store', 'brotli']));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...chunks), fc.nat(), fc.integer({ min: 0, max: 7 }), async (chunk, at, bit) => {
        const copy = freshCopy();
        const rw = openDatabase(copy);
        const { payload } = rw.prepare('SELECT payload FROM chunk WHERE id = ?').get(chunk.id) as { payload: Buffer };
        payload[at % payload.length] ^= 1 << bit;
        rw.prepare('UPDATE chunk SET payload = ? WHERE id = ?').run(payload, chunk.id);
        rw.close();
        const report = await verifyArchive({ archivePath: copy });
        expect(report.ok).toBe(false);
        expect(report.entries.some((e) => e.verdict === 'damaged')).toBe(true);
        expect(await extractNeverWrong(copy)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('a flipped byte anywhere in the file is found, or the archive still extracts exactly', async () => {
    const size = fs.statSync(pristine).size;
    let found = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 1, max: 255 }), async (offset, mask) => {
        const copy = freshCopy();
        const bytes = fs.readFileSync(copy);
        bytes[offset] ^= mask;
        fs.writeFileSync(copy, bytes);
        const v = await verdict(copy);
        if (v === 'found') found++;
        const extracted = await extractNeverWrong(copy);
        // What verify passes, extract must reproduce exactly.
        if (v === 'ok') expect(extracted).toBe(true);
      }),
      { numRuns: Number(process.env.OCTOZIP_FLIP_RUNS ?? 60) },
    );
    expect(found).toBeGreaterThan(0);
  });

  it('a truncated archive is found and never extracts wrong bytes', async () => {
    const size = fs.statSync(pristine).size;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: size - 1 }), async (length) => {
        const copy = freshCopy();
        fs.truncateSync(copy, length);
        expect(await verdict(copy)).toBe('found');
        expect(await extractNeverWrong(copy)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('a damaged name or link target is found by its entry checksum', async () => {
    const copy = freshCopy();
    const rw = openDatabase(copy);
    rw.prepare("UPDATE entry SET link_target = 'docs/text.tx' WHERE type = 'symlink'").run();
    rw.close();
    const report = await verifyArchive({ archivePath: copy });
    expect(report.entries.find((e) => e.path === 'link')).toMatchObject({ verdict: 'damaged' });
    await expect(extractArchive({ archivePath: copy, destDir: path.join(root, 'meta-out') })).rejects.toMatchObject({ code: 'damaged' });
  });
});
