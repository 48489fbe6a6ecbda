// Fuzzes the real engine with damaged and hostile archives: real SQLite files, real extraction into a temp
// folder, and after every case the oracle checks that nothing appeared outside the destination and every file
// under it holds exactly the archived bytes. Four bases: the current format (3) plain and encrypted (names
// too), made with 1 KiB solid blocks so files span blocks and share them; format 2, the plain base with its
// content list in layout 1 (what the previous writer made); and format 1 (the old writer's fixture plus a
// three-chunk file). Every older format is still read. FUZZ_CASES=N (default 1200) sets the mutation cases; FUZZ_SEED
// replays a run; FUZZ_LOG=1 prints why each hostile case was refused. Each case is bounded in time (a hang
// fails) and the process's RSS is checked after it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractArchive, listArchive, OctozipError, verifyArchive } from '../../electron/engine/index.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { blockRows, catalogBlockId, decodedBlock, readContents, readEntries, rewriteAsFormat2 } from '../helpers/catalog-surgery.ts';
import { type ArchivedTree, describePlanted, judgeExtraction, snapshotOutside } from './extraction-oracle.ts';
import { addStoredFile, type HostileCase, hostileV1Cases, MULTI_CHUNK_PATH, recomputeEntryChecksums } from './hostile-archives.ts';
import { hostileCatalogCases, hostileSealedCases, V2_FILES } from './hostile-catalogs.ts';
import { applyMutation, mutationArbitrary, type Mutation } from './mutations.ts';

// Measured on 2 shared cores: the ~170 hostile cases take ~46 s, a plain mutation case ~30 ms, an encrypted one
// ~0.5 s (scrypt per open). 1200 keeps the whole file near the ~110 s it took on format 1 with 2000 cases and
// only the format-1 hostile cases.
const CASES = Number(process.env.FUZZ_CASES ?? 1200);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CASE_TIMEOUT_MS = 30_000;
const MUTATION_TIMEOUT_MS = 120_000 + CASES * 300;
const MAX_RSS_BYTES = 1.5 * 1024 ** 3;
const PASSWORD = 'fuzz password';
/** Solid block size of the solid-format bases: small, so a few KB of files make many blocks. */
const BLOCK_BYTES = 1024;
const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'v1');

interface Base {
  bytes: Buffer;
  archived: ArchivedTree;
  /**
   * Decode threads. The format-1 fixture is 'cm'-coded: on worker threads every extract and verify would start
   * workers that each load the prior (7-8 s a case measured here on 2 shared cores); one thread loads it once per
   * process (~0.5 s a case). The solid-format bases (brotli and store) use the default.
   */
  threads?: number;
}

let sandbox: string;
let plain: Base;
let formatTwo: Base;
let encrypted: Base;
let formatOne: Base;
let peakRss = 0;

/** Pseudo-random bytes from a seed, so the base archives (and so every mutation case) replay exactly. */
function seededBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The source tree of the solid-format bases, written under `src`. */
function writeSources(src: string): ArchivedTree {
  const archived: ArchivedTree = new Map();
  const file = (rel: string, bytes: Buffer) => {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    fs.writeFileSync(path.join(src, rel), bytes);
    archived.set(rel, { type: 'file', bytes });
  };
  const text = Buffer.from('All happy families are alike; each unhappy family is unhappy in its own way.\n'.repeat(40));
  file(V2_FILES.text, text);
  file('tree/dup.txt', text); // stored once (dedup), extracted twice
  file(V2_FILES.binary, seededBytes(3000, 1)); // incompressible: 'store' blocks
  file('tree/empty.txt', Buffer.alloc(0));
  file('tree/sub/deep/note.md', Buffer.from('# note\n\nsome words, some more words\n'.repeat(10)));
  // Random too, so it follows data.bin in the solid order: it starts in data.bin's last block and spans two more.
  file(V2_FILES.spanning, Buffer.concat([seededBytes(700, 2), seededBytes(900, 3), seededBytes(500, 4)]));
  fs.mkdirSync(path.join(src, 'tree/emptydir'));
  fs.symlinkSync('readme.txt', path.join(src, 'tree/link'));
  for (const dir of ['tree', 'tree/sub', 'tree/sub/deep', 'tree/emptydir']) archived.set(dir, { type: 'directory' });
  archived.set('tree/link', { type: 'symlink', target: 'readme.txt' });
  return archived;
}

/** The format-1 fixture's tree: its bytes extracted once, each checked against expected.json's SHA-256. */
async function formatOneTree(fixture: string): Promise<ArchivedTree> {
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as {
    path: string;
    type: string;
    sha256?: string;
    linkTarget?: string;
  }[];
  const out = path.join(sandbox, 'v1-tree');
  await extractArchive({ archivePath: fixture, destDir: out, threads: 1 });
  const archived: ArchivedTree = new Map();
  for (const e of expected) {
    if (e.type === 'directory') archived.set(e.path, { type: 'directory' });
    else if (e.type === 'symlink') archived.set(e.path, { type: 'symlink', target: e.linkTarget! });
    else {
      const bytes = fs.readFileSync(path.join(out, e.path));
      if (crypto.createHash('sha256').update(bytes).digest('hex') !== e.sha256) throw new Error(`the format-1 fixture extracts ${e.path} wrong`);
      archived.set(e.path, { type: 'file', bytes });
    }
  }
  fs.rmSync(out, { recursive: true });
  return archived;
}

beforeAll(async () => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-fuzz-'));
  const src = path.join(sandbox, 'src');
  const archived = writeSources(src);
  const settings = { ...PRESETS.fast, blockBytes: BLOCK_BYTES };
  const plainPath = path.join(sandbox, 'base.octz');
  await createArchiveWithSettings({ archivePath: plainPath, inputs: ['tree'], cwd: src, preset: 'fast' }, settings);
  plain = { bytes: fs.readFileSync(plainPath), archived };
  const v2Path = path.join(sandbox, 'base-v2.octz');
  fs.copyFileSync(plainPath, v2Path);
  const v2 = new Database(v2Path);
  rewriteAsFormat2(v2);
  v2.close();
  formatTwo = { bytes: fs.readFileSync(v2Path), archived };
  // No fallback: an encrypted base that cannot be built fails the suite.
  const encPath = path.join(sandbox, 'base-enc.octz');
  await createArchiveWithSettings({ archivePath: encPath, inputs: ['tree'], cwd: src, preset: 'fast', password: PASSWORD, encryptNames: true }, settings);
  encrypted = { bytes: fs.readFileSync(encPath), archived };

  const v1Path = path.join(sandbox, 'base-v1.octz');
  fs.copyFileSync(path.join(FIXTURES, 'plain.octz'), v1Path);
  const v1Archived = await formatOneTree(v1Path);
  // A content of three chunks, so gaps, overlaps and swaps have something to work on.
  const multi = [seededBytes(700, 2), seededBytes(900, 3), seededBytes(500, 4)];
  const db = new Database(v1Path);
  addStoredFile(db, MULTI_CHUNK_PATH, multi);
  db.close();
  v1Archived.set(MULTI_CHUNK_PATH, { type: 'file', bytes: Buffer.concat(multi) });
  formatOne = { bytes: fs.readFileSync(v1Path), archived: v1Archived, threads: 1 };

  fs.mkdirSync(path.join(sandbox, 'outside'));
  fs.writeFileSync(path.join(sandbox, 'outside', 'secret.txt'), 'must never change');
});

afterAll(() => {
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  fs.rmSync(`${sandbox}-abs-probe`, { recursive: true, force: true });
  console.log(`fuzz: peak RSS ${(peakRss / 1024 ** 2).toFixed(0)} MiB`);
});

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} took over ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Outcome {
  error: unknown;
  problems: string[];
}

/** Extracts `bytes` as an archive into a fresh destination and judges everything afterwards against `archived`. */
async function extractAndJudge(
  bytes: Buffer,
  options: { archived: ArchivedTree; password?: string; threads?: number; what: string; prepareDest?: (dest: string) => string[]; lenientNames: boolean },
): Promise<Outcome> {
  const archivePath = path.join(sandbox, 'case.octz');
  const dest = path.join(sandbox, 'dest');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.writeFileSync(archivePath, bytes);
  const plantedRels = options.prepareDest?.(dest) ?? [];
  const planted = describePlanted(dest, plantedRels);
  const before = snapshotOutside(sandbox, 'dest');
  let error: unknown = null;
  try {
    await withTimeout(
      extractArchive({ archivePath, destDir: dest, conflict: 'overwrite', password: options.password, threads: options.threads }),
      options.what,
    );
  } catch (err) {
    error = err;
  }
  const problems = judgeExtraction({
    sandbox,
    destName: 'dest',
    before,
    archived: options.archived,
    extraProbes: [`${sandbox}-abs-probe`, '/ABS'],
    lenientNames: options.lenientNames,
    planted,
  });
  if (error !== null && !(error instanceof OctozipError)) problems.push(`crash-like error: ${String((error as Error)?.stack ?? error)}`);
  if (error instanceof OctozipError && error.message.length < 10) problems.push(`unclear message: "${error.message}"`);
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  if (rss > MAX_RSS_BYTES) problems.push(`RSS ${rss} bytes after the case`);
  return { error, problems };
}

/** list and verify must also answer with a report or an OctozipError, never anything else. */
async function inspectDistrustfully(archivePath: string, password: string | undefined, what: string, threads?: number): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, run] of [
    ['list', () => listArchive(archivePath, { password })],
    ['verify', () => verifyArchive({ archivePath, password, threads })],
  ] as const) {
    try {
      await withTimeout(run() as Promise<unknown>, `${name} ${what}`);
    } catch (err) {
      if (!(err instanceof OctozipError)) problems.push(`${name} crashed: ${String((err as Error)?.stack ?? err)}`);
    }
  }
  return problems;
}

/** verify's answer: whether it found something (a report that is not ok, or an OctozipError). */
async function verifyFinds(archivePath: string, what: string, password?: string, threads?: number): Promise<boolean> {
  try {
    return !(await withTimeout(verifyArchive({ archivePath, password, threads }), `verify ${what}`)).ok;
  } catch (err) {
    if (err instanceof OctozipError) return true;
    throw err;
  }
}

describe('the base archives', () => {
  it.each([
    ['format 3, plain', () => plain, undefined],
    ['format 2, plain', () => formatTwo, undefined],
    ['format 3, encrypted names', () => encrypted, PASSWORD],
    ['format 1', () => formatOne, undefined],
  ] as const)('%s: extracts exactly and verifies (the oracle accepts a good extraction)', async (what, base, password) => {
    const outcome = await extractAndJudge(base().bytes, { archived: base().archived, password, threads: base().threads, what, lenientNames: false });
    expect(outcome.error).toBeNull();
    expect(outcome.problems).toEqual([]);
    for (const [rel, node] of base().archived) if (node.type === 'file') expect(fs.readFileSync(path.join(sandbox, 'dest', rel)).equals(node.bytes), rel).toBe(true);
    expect((await verifyArchive({ archivePath: path.join(sandbox, 'case.octz'), password, threads: base().threads })).ok).toBe(true);
  });

  it.each([
    [3, () => plain],
    [2, () => formatTwo],
  ] as const)('format %i plain has the shape the cases aim at: many blocks, a file spanning blocks, a block two files share', (version, base) => {
    const file = path.join(sandbox, 'shape.octz');
    fs.writeFileSync(file, base().bytes);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(version);
      for (const role of ['entries', 'contents'] as const) expect(decodedBlock(db, catalogBlockId(db, role))[0], `the ${role} layout`).toBe(version === 3 ? 2 : 1);
      const blocks = blockRows(db);
      expect(blocks.filter((b) => b.role === 'data').length).toBeGreaterThanOrEqual(8);
      expect(new Set(blocks.filter((b) => b.role === 'data').map((b) => b.codec))).toEqual(new Set(['store', 'brotli']));
      const entries = readEntries(db);
      const contents = readContents(db);
      const slicesOf = (p: string) => contents[entries.find((e) => e.path === p)!.contentId!]!.slices;
      expect(slicesOf(V2_FILES.text).length).toBeGreaterThanOrEqual(3);
      const lastOfBinary = slicesOf(V2_FILES.binary).at(-1)!;
      expect(slicesOf(V2_FILES.spanning)[0]!.blockId).toBe(lastOfBinary.blockId);
      expect(slicesOf(V2_FILES.spanning).length).toBeGreaterThanOrEqual(3);
    } finally {
      db.close();
    }
  });

  it('the encrypted base hides its names and needs its password', async () => {
    const file = path.join(sandbox, 'locked.octz');
    fs.writeFileSync(file, encrypted.bytes);
    expect(encrypted.bytes.includes(Buffer.from('readme.txt'))).toBe(false);
    await expect(listArchive(file, {})).rejects.toMatchObject({ code: 'password-required' });
  });

  it('the oracle catches a wrong byte, a stray file and a write outside', async () => {
    await extractAndJudge(plain.bytes, { archived: plain.archived, what: 'base', lenientNames: false });
    const dest = path.join(sandbox, 'dest');
    const before = snapshotOutside(sandbox, 'dest');
    fs.appendFileSync(path.join(dest, 'tree/readme.txt'), 'x');
    fs.writeFileSync(path.join(dest, 'stray.txt'), 'x');
    fs.writeFileSync(path.join(sandbox, 'outside', 'new.txt'), 'x');
    const problems = judgeExtraction({ sandbox, destName: 'dest', before, archived: plain.archived, lenientNames: false });
    fs.rmSync(path.join(sandbox, 'outside', 'new.txt'));
    expect(problems.join('\n')).toMatch(/wrong bytes: tree\/readme.txt/);
    expect(problems.join('\n')).toMatch(/never archived: stray.txt/);
    expect(problems.join('\n')).toMatch(/new file outside the destination: outside\/new.txt/);
  });
});

/** Crafts `hostile` on a copy of `base`, extracts it, and checks everything the case promises. */
async function runHostile(hostile: HostileCase, base: Base, options: { fixEntryChecksums: boolean; password?: string }): Promise<void> {
  const ctx = { outsideDir: path.join(sandbox, 'outside'), absoluteProbe: `${sandbox}-abs-probe` };
  let bytes: Buffer;
  if (hostile.rawFile) {
    bytes = hostile.rawFile;
  } else {
    const craftPath = path.join(sandbox, 'craft.octz');
    fs.writeFileSync(craftPath, base.bytes);
    const db = new Database(craftPath);
    db.pragma('journal_mode = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('synchronous = OFF');
    try {
      db.transaction(() => {
        hostile.craft(db, ctx);
        if (options.fixEntryChecksums) recomputeEntryChecksums(db);
      })();
    } finally {
      db.close();
    }
    bytes = fs.readFileSync(craftPath);
    fs.rmSync(craftPath);
    // A case that changed nothing would pass for the wrong reason.
    if (!hostile.prepareDest) expect(bytes.equals(base.bytes), 'the crafted archive is the base unchanged').toBe(false);
  }
  const outcome = await extractAndJudge(bytes, {
    archived: base.archived,
    password: options.password,
    threads: base.threads,
    what: hostile.name,
    prepareDest: hostile.prepareDest ? (dest) => hostile.prepareDest!(dest, ctx) : undefined,
    lenientNames: false,
  });
  expect(outcome.problems).toEqual([]);
  if (process.env.FUZZ_LOG) console.log(`CASE ${hostile.name} => ${outcome.error instanceof OctozipError ? `${outcome.error.code}: ${outcome.error.message}` : String(outcome.error)}`);
  if (hostile.expect !== 'either') {
    expect(outcome.error, 'extraction should have been refused').toBeInstanceOf(OctozipError);
    expect(hostile.expect.refuse).toContain((outcome.error as OctozipError).code);
  }
  const casePath = path.join(sandbox, 'case.octz');
  expect(await inspectDistrustfully(casePath, options.password, hostile.name, base.threads)).toEqual([]);
  if (hostile.verifyFinds) expect(await verifyFinds(casePath, hostile.name, options.password, base.threads), 'verify should have found the damage').toBe(true);
}

describe('hostile format-3 archives (catalog surgery)', () => {
  it.each(hostileCatalogCases().map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    await runHostile(hostile, plain, { fixEntryChecksums: false });
  });
});

describe('hostile format-2 archives (catalog surgery)', () => {
  it.each(hostileCatalogCases().map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    await runHostile(hostile, formatTwo, { fixEntryChecksums: false });
  });
});

describe('hostile format-3 encrypted archives (sealed blocks moved, dropped, replaced)', () => {
  it.each(hostileSealedCases().map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    await runHostile(hostile, encrypted, { fixEntryChecksums: false, password: PASSWORD });
  });
});

describe('hostile format-1 archives (SQL)', () => {
  it.each(hostileV1Cases().map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    await runHostile(hostile, formatOne, { fixEntryChecksums: true });
  });
});

describe('randomly damaged archives', () => {
  const run = async (base: Base, m: Mutation, password: string | undefined) => {
    const what = JSON.stringify(m);
    // Strict on names for both bases: a solid format's entry list is hashed (plain) or sealed (encrypted), so damage
    // cannot rename a file without being found.
    const outcome = await extractAndJudge(applyMutation(base.bytes, m), { archived: base.archived, password, what, lenientNames: false });
    const problems = [...outcome.problems];
    if (m.kind !== 'flip' || m.bits.length < 3) problems.push(...(await inspectDistrustfully(path.join(sandbox, 'case.octz'), password, what)));
    if (problems.length > 0) throw new Error(`${what}:\n${problems.join('\n')}`);
    return outcome.error === null;
  };

  it(`format 3 plain: ${Math.round(CASES * 0.9)} cases of bit flips, truncation and page damage`, async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(plain.bytes.length), async (m) => {
        if (!(await run(plain, m, undefined))) refused++;
      }),
      { seed: SEED, numRuns: Math.round(CASES * 0.9), endOnFailure: true },
    );
    // A damage fuzzer whose cases all pass untouched would test nothing.
    expect(refused).toBeGreaterThan(CASES * 0.1);
  }, MUTATION_TIMEOUT_MS);

  it(`format 3 encrypted (names too): ${Math.max(20, Math.round(CASES * 0.05))} cases, strict on names`, async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(encrypted.bytes.length), async (m) => {
        if (!(await run(encrypted, m, PASSWORD))) refused++;
      }),
      { seed: SEED + 1, numRuns: Math.max(20, Math.round(CASES * 0.05)), endOnFailure: true },
    );
    expect(refused).toBeGreaterThan(0);
  }, MUTATION_TIMEOUT_MS);
});
