// Fuzzes the real engine with damaged and hostile archives: real SQLite files, real extraction into a temp
// folder, and after every case the oracle checks that nothing appeared outside the destination and every file
// under it holds exactly the archived bytes. FUZZ_CASES=N (default 2000) sets the mutation cases; FUZZ_SEED
// replays a run. Each case is bounded in time (a hang fails) and the process's RSS is checked after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchive, extractArchive, listArchive, OctozipError, verifyArchive } from '../../electron/engine/index.ts';
import { type ArchivedTree, describePlanted, judgeExtraction, snapshotOutside } from './extraction-oracle.ts';
import { addStoredFile, hostileCases, MULTI_CHUNK_PATH, recomputeEntryChecksums } from './hostile-archives.ts';
import { applyMutation, mutationArbitrary, type Mutation } from './mutations.ts';

const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CASE_TIMEOUT_MS = 30_000;
// Whole mutation runs: ~30 ms a plain case, ~0.5 s an encrypted one (scrypt per open) on 2 shared cores.
const MUTATION_TIMEOUT_MS = 120_000 + CASES * 300;
const MAX_RSS_BYTES = 1.5 * 1024 ** 3;
const PASSWORD = 'fuzz password';

let sandbox: string;
let plainArchive: Buffer;
let encryptedArchive: Buffer;
const archived: ArchivedTree = new Map();
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

function writeSource(root: string, rel: string, bytes: Buffer): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), bytes);
  archived.set(rel, { type: 'file', bytes });
}

beforeAll(async () => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-fuzz-'));
  const src = path.join(sandbox, 'src');
  const text = Buffer.from('All happy families are alike; each unhappy family is unhappy in its own way.\n'.repeat(40));
  writeSource(src, 'tree/readme.txt', text);
  writeSource(src, 'tree/dup.txt', text); // stored once (dedup), extracted twice
  writeSource(src, 'tree/data.bin', seededBytes(3000, 1)); // incompressible: a 'store' chunk
  writeSource(src, 'tree/empty.txt', Buffer.alloc(0));
  writeSource(src, 'tree/sub/deep/note.md', Buffer.from('# note\n\nsome words, some more words\n'.repeat(10)));
  fs.mkdirSync(path.join(src, 'tree/emptydir'));
  fs.symlinkSync('readme.txt', path.join(src, 'tree/link'));
  for (const dir of ['tree', 'tree/sub', 'tree/sub/deep', 'tree/emptydir']) archived.set(dir, { type: 'directory' });
  archived.set('tree/link', { type: 'symlink', target: 'readme.txt' });

  const plainPath = path.join(sandbox, 'base.octz');
  await createArchive({ archivePath: plainPath, inputs: ['tree'], cwd: src, preset: 'fast' });
  // A content of three chunks, so gaps, overlaps and swaps have something to work on (preset chunks are 4 MiB).
  const multi = [seededBytes(700, 2), seededBytes(900, 3), seededBytes(500, 4)];
  const db = new Database(plainPath);
  addStoredFile(db, MULTI_CHUNK_PATH, multi);
  db.close();
  archived.set(MULTI_CHUNK_PATH, { type: 'file', bytes: Buffer.concat(multi) });
  plainArchive = fs.readFileSync(plainPath);

  // Encryption is always built in: if this base cannot be made, the encrypted cases must fail, not skip.
  const encPath = path.join(sandbox, 'base-enc.octz');
  await createArchive({ archivePath: encPath, inputs: ['tree'], cwd: src, preset: 'fast', password: PASSWORD, encryptNames: true });
  encryptedArchive = fs.readFileSync(encPath);
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

/** Extracts `bytes` as an archive into a fresh destination and judges everything afterwards. */
async function extractAndJudge(bytes: Buffer, options: { password?: string; what: string; prepareDest?: (dest: string) => string[]; lenientNames: boolean }): Promise<Outcome> {
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
      extractArchive({ archivePath, destDir: dest, conflict: 'overwrite', password: options.password }),
      options.what,
    );
  } catch (err) {
    error = err;
  }
  const problems = judgeExtraction({
    sandbox,
    destName: 'dest',
    before,
    archived,
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
async function inspectDistrustfully(archivePath: string, password: string | undefined, what: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, run] of [
    ['list', () => listArchive(archivePath, { password })],
    ['verify', () => verifyArchive({ archivePath, password })],
  ] as const) {
    try {
      await withTimeout(run() as Promise<unknown>, `${name} ${what}`);
    } catch (err) {
      if (!(err instanceof OctozipError)) problems.push(`${name} crashed: ${String((err as Error)?.stack ?? err)}`);
    }
  }
  return problems;
}

describe('the base archives', () => {
  it('extract exactly (the oracle accepts a good extraction and the fuzz cases start from valid archives)', async () => {
    const plain = await extractAndJudge(plainArchive, { what: 'base', lenientNames: false });
    expect(plain.error).toBeNull();
    expect(plain.problems).toEqual([]);
    expect(fs.readFileSync(path.join(sandbox, 'dest', MULTI_CHUNK_PATH)).equals((archived.get(MULTI_CHUNK_PATH) as { bytes: Buffer }).bytes)).toBe(true);
    expect((await verifyArchive({ archivePath: path.join(sandbox, 'case.octz') })).ok).toBe(true);
  });

  it('the oracle catches a wrong byte, a stray file and a write outside', async () => {
    const dest = path.join(sandbox, 'dest');
    const before = snapshotOutside(sandbox, 'dest');
    fs.appendFileSync(path.join(dest, 'tree/readme.txt'), 'x');
    fs.writeFileSync(path.join(dest, 'stray.txt'), 'x');
    fs.writeFileSync(path.join(sandbox, 'outside', 'new.txt'), 'x');
    const problems = judgeExtraction({ sandbox, destName: 'dest', before, archived, lenientNames: false });
    fs.rmSync(path.join(sandbox, 'outside', 'new.txt'));
    expect(problems.join('\n')).toMatch(/wrong bytes: tree\/readme.txt/);
    expect(problems.join('\n')).toMatch(/never archived: stray.txt/);
    expect(problems.join('\n')).toMatch(/new file outside the destination: outside\/new.txt/);
  });
});

describe('hostile archives crafted through SQL', () => {
  const cases = hostileCases();
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const ctx = { outsideDir: path.join(sandbox, 'outside'), absoluteProbe: `${sandbox}-abs-probe` };
    let bytes: Buffer;
    if (hostile.rawFile) {
      bytes = hostile.rawFile;
    } else {
      const craftPath = path.join(sandbox, 'craft.octz');
      fs.writeFileSync(craftPath, plainArchive);
      const db = new Database(craftPath);
      db.pragma('journal_mode = OFF');
      db.pragma('foreign_keys = OFF');
      db.pragma('synchronous = OFF');
      db.transaction(() => {
        hostile.craft(db, ctx);
        recomputeEntryChecksums(db);
      })();
      db.close();
      bytes = fs.readFileSync(craftPath);
      fs.rmSync(craftPath);
    }
    const outcome = await extractAndJudge(bytes, {
      what: hostile.name,
      prepareDest: hostile.prepareDest ? (dest) => hostile.prepareDest!(dest, ctx) : undefined,
      lenientNames: false,
    });
    expect(outcome.problems).toEqual([]);
    if (hostile.expect !== 'either') {
      expect(outcome.error, 'extraction should have been refused').toBeInstanceOf(OctozipError);
      expect(hostile.expect.refuse).toContain((outcome.error as OctozipError).code);
    }
    expect(await inspectDistrustfully(path.join(sandbox, 'case.octz'), undefined, hostile.name)).toEqual([]);
  });
});

describe('randomly damaged archives', () => {
  const run = async (base: Buffer, m: Mutation, password: string | undefined, lenientNames: boolean) => {
    const what = JSON.stringify(m);
    const outcome = await extractAndJudge(applyMutation(base, m), { password, what, lenientNames });
    const problems = [...outcome.problems];
    if (m.kind !== 'flip' || m.bits.length < 3) problems.push(...(await inspectDistrustfully(path.join(sandbox, 'case.octz'), password, what)));
    if (problems.length > 0) throw new Error(`${what}:\n${problems.join('\n')}`);
    return outcome.error === null;
  };

  it(`plain archive: ${Math.round(CASES * 0.9)} cases of bit flips, truncation and page damage`, async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(plainArchive.length), async (m) => {
        // Entry rows of an unencrypted archive carry no MAC, so a flipped name byte renames a file (its bytes stay
        // right): the oracle accepts right bytes under another name here, and only here.
        if (!(await run(plainArchive, m, undefined, true))) refused++;
      }),
      { seed: SEED, numRuns: Math.round(CASES * 0.9), endOnFailure: true },
    );
    // A damage fuzzer whose cases all pass untouched would test nothing.
    expect(refused).toBeGreaterThan(CASES * 0.1);
  }, MUTATION_TIMEOUT_MS);

  it(`encrypted archive (names too): ${Math.max(20, Math.round(CASES * 0.05))} cases, strict on names`, async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutationArbitrary(encryptedArchive.length), async (m) => {
        if (!(await run(encryptedArchive, m, PASSWORD, false))) refused++;
      }),
      { seed: SEED + 1, numRuns: Math.max(20, Math.round(CASES * 0.05)), endOnFailure: true },
    );
    expect(refused).toBeGreaterThan(0);
  }, MUTATION_TIMEOUT_MS);
});
