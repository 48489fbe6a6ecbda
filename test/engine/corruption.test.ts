// Damage to a format-2 archive: a flipped bit in any data block's payload is always found, and verify names
// exactly the entries whose bytes lie in that block; damage to the catalog (entry list or content list) is
// found and refused with a message that says which; a damaged slice spoils only its own file; a flipped byte
// anywhere in the file or a truncation either is found or provably harmless; extract never leaves a wrong byte
// under a real name.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractArchive, OctozipError, verifyArchive } from '../../electron/engine/index.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { crc32 } from '../../electron/engine/format/checksum.ts';
import { openDatabase } from '../../electron/engine/format/database.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { blockRows, catalogBlockId, decodedBlock, readContents, readEntries, rewriteContents, rewriteEntries } from '../helpers/catalog-surgery.ts';
import { leftoverTempFiles, snapshot, tempDir } from '../helpers/tree.ts';

let root: string;
let cleanup: () => void;
let pristine: string;
let original: ReturnType<typeof snapshot>;
let copies = 0;
/** Entry paths of files whose bytes lie (partly) in each data block, from the pristine catalog. */
const filesInBlock = new Map<number, Set<string>>();
let dataBlocks: { id: number; codec: string }[] = [];

beforeAll(async () => {
  ({ dir: root, cleanup } = tempDir());
  const src = path.join(root, 'src');
  fs.mkdirSync(path.join(src, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(src, 'docs', 'text.txt'), 'The quick brown fox jumps over the lazy dog.\n'.repeat(400));
  fs.writeFileSync(path.join(src, 'docs', 'notes.txt'), 'Pack my box with five dozen liquor jugs.\n'.repeat(30));
  fs.writeFileSync(path.join(src, 'random.bin'), crypto.randomBytes(6000));
  fs.writeFileSync(path.join(src, 'small.txt'), 'tiny');
  fs.symlinkSync('docs/text.txt', path.join(src, 'link'));
  pristine = path.join(root, 'pristine.octz');
  // 4 KiB blocks: text.txt spans five, random.bin two, and text files share blocks.
  await createArchiveWithSettings({ archivePath: pristine, inputs: ['.'], cwd: src }, { ...PRESETS.fast, blockBytes: 4096 });
  original = snapshot(src);
  const db = openDatabase(pristine, { readonly: true });
  try {
    dataBlocks = blockRows(db).filter((b) => b.role === 'data');
    const contents = readContents(db);
    for (const entry of readEntries(db)) {
      if (entry.contentId === null) continue;
      for (const slice of contents[entry.contentId]!.slices) {
        const set = filesInBlock.get(slice.blockId) ?? new Set<string>();
        set.add(entry.path);
        filesInBlock.set(slice.blockId, set);
      }
    }
  } finally {
    db.close();
  }
});
afterAll(() => cleanup());

function freshCopy(): string {
  const copy = path.join(root, `copy-${copies++}.octz`);
  fs.copyFileSync(pristine, copy);
  return copy;
}

/** Extracts; if it succeeds, every file it wrote must equal the original. Returns whether it succeeded. */
async function extractNeverWrong(archivePath: string, entries?: string[]): Promise<boolean> {
  const out = path.join(root, `out-${copies++}`);
  try {
    await extractArchive({ archivePath, destDir: out, entries });
  } catch (err) {
    expect(err).toBeInstanceOf(OctozipError);
    if (fs.existsSync(out)) {
      expect(leftoverTempFiles(out)).toEqual([]);
      for (const [p, entry] of snapshot(out)) if (entry.type === 'file') expect(entry.sha256).toBe(original.get(p)?.sha256);
    }
    return false;
  }
  const got = snapshot(out);
  if (entries) for (const [p, entry] of got) expect(entry).toEqual(original.get(p));
  else expect(got).toEqual(original);
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

/** Changes block `id`'s stored payload in place (its recorded checksums stay: this is damage, not an edit). */
function damagePayload(archivePath: string, id: number, damage: (payload: Buffer) => void): void {
  const db = openDatabase(archivePath);
  try {
    const { payload } = db.prepare('SELECT payload FROM block WHERE id = ?').get(id) as { payload: Buffer };
    damage(payload);
    db.prepare('UPDATE block SET payload = ? WHERE id = ?').run(payload, id);
  } finally {
    db.close();
  }
}

describe('corruption', () => {
  it('the archive has what the cases need: several blocks of both codecs, files spanning and sharing blocks', () => {
    expect(new Set(dataBlocks.map((b) => b.codec))).toEqual(new Set(['store', 'brotli']));
    expect([...filesInBlock.values()].some((files) => files.size > 1)).toBe(true);
    expect([...filesInBlock.values()].filter((files) => files.has('docs/text.txt')).length).toBeGreaterThan(2);
  });

  it('a flipped bit in any data block is found; verify names exactly the files in that block; extract refuses', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...dataBlocks), fc.nat(), fc.integer({ min: 0, max: 7 }), async (block, at, bit) => {
        const copy = freshCopy();
        damagePayload(copy, block.id, (payload) => (payload[at % payload.length]! ^= 1 << bit));
        const report = await verifyArchive({ archivePath: copy });
        expect(report.ok).toBe(false);
        const damaged = report.entries.filter((e) => e.verdict === 'damaged').map((e) => e.path);
        expect(new Set(damaged)).toEqual(filesInBlock.get(block.id));
        for (const e of report.entries.filter((r) => r.verdict === 'damaged')) expect(e.problem).toMatch(/block|checksum|decode/i);
        expect(await extractNeverWrong(copy)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('a damaged block spoils only its own files: the others still extract exactly', async () => {
    const copy = freshCopy();
    const randomBlocks = dataBlocks.filter((b) => filesInBlock.get(b.id)?.has('random.bin'));
    const onlyRandom = randomBlocks.find((b) => filesInBlock.get(b.id)!.size === 1)!;
    damagePayload(copy, onlyRandom.id, (payload) => (payload[10]! ^= 0x40));
    expect(await extractNeverWrong(copy, ['random.bin'])).toBe(false);
    expect(await extractNeverWrong(copy, ['docs'])).toBe(true);
  });

  for (const role of ['entries', 'contents'] as const) {
    const what = role === 'entries' ? 'entry list' : 'content list';
    it(`a flipped bit in the ${what} is found and refused, and nothing is written`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
          const copy = freshCopy();
          const db = openDatabase(copy, { readonly: true });
          const id = catalogBlockId(db, role);
          db.close();
          damagePayload(copy, id, (payload) => (payload[at % payload.length]! ^= 1 << bit));
          const report = await verifyArchive({ archivePath: copy });
          expect(report.ok).toBe(false);
          expect(report.problems.join('\n')).toContain(what);
          const out = path.join(root, `out-${copies++}`);
          await expect(extractArchive({ archivePath: copy, destDir: out })).rejects.toMatchObject({ code: 'damaged', message: expect.stringContaining(what) });
          expect(fs.existsSync(out)).toBe(false);
        }),
        { numRuns: 10 },
      );
    });
  }

  it('a name or link target damaged inside the entry list (payload checksum made right) fails the list hash', async () => {
    const copy = freshCopy();
    const db = openDatabase(copy);
    const id = catalogBlockId(db, 'entries');
    const raw = Buffer.from(decodedBlock(db, id));
    const at = raw.indexOf('docs/text.txt', raw.length - 20);
    expect(at).toBeGreaterThan(0); // the link target sits in the last column
    raw[at + 12] = 'x'.charCodeAt(0);
    const { codec } = db.prepare('SELECT codec FROM block WHERE id = ?').get(id) as { codec: string };
    const payload = codec === 'brotli' ? zlib.brotliCompressSync(raw) : raw;
    db.prepare('UPDATE block SET payload = ?, payload_crc32 = ? WHERE id = ?').run(payload, crc32(payload), id);
    db.close();
    const report = await verifyArchive({ archivePath: copy });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/entry list fails its hash/);
    await expect(extractArchive({ archivePath: copy, destDir: path.join(root, 'meta-out') })).rejects.toMatchObject({ code: 'damaged' });
    expect(fs.existsSync(path.join(root, 'meta-out'))).toBe(false);
  });

  it('a slice starting one byte late (every record consistent, only the file CRC can tell) spoils only that file', async () => {
    const copy = freshCopy();
    const db = openDatabase(copy);
    const { contentId: id, size } = readEntries(db).find((e) => e.path === 'random.bin')!;
    // The entries first: a content list of layout 2 codes its sizes against the entry list's.
    rewriteEntries(db, (entries) => void (entries.find((e) => e.contentId === id)!.size = size - 1));
    rewriteContents(db, (contents) => {
      const first = contents[id!]!.slices[0]!;
      first.offset += 1;
      first.length -= 1;
      contents[id!]!.size = size - 1;
    });
    db.close();
    const report = await verifyArchive({ archivePath: copy });
    expect(report.ok).toBe(false);
    expect(report.entries.filter((e) => e.verdict === 'damaged')).toEqual([
      { path: 'random.bin', verdict: 'damaged', problem: expect.stringMatching(/checksum/) },
    ]);
    expect(await extractNeverWrong(copy)).toBe(false);
    expect(await extractNeverWrong(copy, ['docs', 'small.txt', 'link'])).toBe(true);
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

  it('a truncated archive is found, unless only zero padding was cut, and never extracts wrong bytes', async () => {
    const bytes = fs.readFileSync(pristine);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), async (length) => {
        const copy = freshCopy();
        fs.truncateSync(copy, length);
        if ((await verdict(copy)) === 'ok') {
          // SQLite reads bytes past the end of the file as zeros, so cutting only the zero padding at the end of
          // the last page (an overflow page's unused tail) changes nothing; any other cut must be found.
          expect(bytes.subarray(length).every((b) => b === 0), `a cut at ${length} of ${bytes.length} went unnoticed`).toBe(true);
          expect(await extractNeverWrong(copy)).toBe(true);
        } else {
          expect(await extractNeverWrong(copy)).toBe(false);
        }
      }),
      { numRuns: 25 },
    );
  });
});
