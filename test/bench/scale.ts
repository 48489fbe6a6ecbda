// Scale benchmark: a 4 GiB+ file and a tree of 100,000 small files, each round-tripped with preset 'fast'.
// Every step runs in its own child process so its peak RSS (getrusage maxrss) is its alone.
//   npm run bench:scale                 # everything, in a temp folder (needs ~10 GB free)
//   SCALE_BIG_GIB=1 SCALE_FILES=10000 npm run bench:scale    # smaller, for a quick look
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createArchive, extractArchive, listArchive } from '../../electron/engine/index.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

interface StepResult {
  step: string;
  seconds: number;
  maxRssMiB: number;
  detail: string;
}

/** Deterministic text, so the big file compresses like real data rather than like zeros or noise. */
function textBlock(bytes: number, seed: number): Buffer {
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'archive', 'chunk', 'octozip', 'entropy', 'byte', 'model'];
  const out = Buffer.alloc(bytes);
  let x = seed | 1;
  let i = 0;
  while (i < bytes) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const w = `${words[(x >>> 0) % words.length]}${(x & 15) === 0 ? `\n${x >>> 20}: ` : ' '}`;
    i += out.write(w, i);
  }
  return out;
}

/**
 * 4.25 GiB, sparse-ish like a disk image: a 4 MiB island of text every 64 MiB, holes between.
 * 272 MiB of real data to compress; the rest reads as zeros.
 */
function makeBigFile(file: string, totalBytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.ftruncateSync(fd, totalBytes);
    for (let offset = 0, n = 0; offset < totalBytes; offset += 64 * MiB, n++) {
      const block = textBlock(Math.min(4 * MiB, totalBytes - offset), n + 1);
      fs.writeSync(fd, block, 0, block.length, offset);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function makeTree(root: string, files: number): void {
  const perDir = 1000;
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${String(Math.floor(i / perDir)).padStart(4, '0')}`);
    if (i % perDir === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}\n${'x'.repeat(i % 400)}\n`);
  }
}

function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(16 * MiB);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Runs one step in this process (the child side). */
async function runStep(step: string, dir: string): Promise<void> {
  const started = performance.now();
  let detail: string;
  switch (step) {
    case 'create-big': {
      const s = await createArchive({ archivePath: path.join(dir, 'big.octz'), inputs: ['big.bin'], cwd: dir, preset: 'fast' });
      detail = `${(s.rawBytes / GiB).toFixed(2)} GiB -> ${(s.archiveBytes / MiB).toFixed(1)} MiB`;
      break;
    }
    case 'extract-big': {
      // The file is sparse-ish (ratio well under the default limit); no limit is raised here.
      await extractArchive({ archivePath: path.join(dir, 'big.octz'), destDir: path.join(dir, 'out-big'), conflict: 'overwrite' });
      detail = 'sha256 checked by the engine';
      break;
    }
    case 'create-tree': {
      const s = await createArchive({ archivePath: path.join(dir, 'tree.octz'), inputs: ['tree'], cwd: dir, preset: 'fast' });
      detail = `${s.entries} entries, ${(s.rawBytes / MiB).toFixed(1)} MiB -> ${(s.archiveBytes / MiB).toFixed(1)} MiB`;
      break;
    }
    case 'list-tree': {
      const listing = await listArchive(path.join(dir, 'tree.octz'), {});
      detail = `${listing.entries.length} entries listed`;
      break;
    }
    case 'extract-tree': {
      const s = await extractArchive({ archivePath: path.join(dir, 'tree.octz'), destDir: path.join(dir, 'out-tree'), conflict: 'overwrite' });
      detail = `${s.written} entries written`;
      break;
    }
    default:
      throw new Error(`unknown step ${step}`);
  }
  const result: StepResult = {
    step,
    seconds: (performance.now() - started) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    detail,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function spawnStep(step: string, dir: string): StepResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--step', step, dir], {
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) throw new Error(`step ${step} failed (${child.status}):\n${child.stderr}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as StepResult;
  // As it goes, too: the whole run takes a while, and a partial run still tells something.
  console.log(`${result.step}: ${result.seconds.toFixed(1)} s, peak RSS ${result.maxRssMiB.toFixed(0)} MiB, ${result.detail}`);
  return result;
}

async function main(): Promise<void> {
  const stepIndex = process.argv.indexOf('--step');
  if (stepIndex >= 0) {
    await runStep(process.argv[stepIndex + 1], process.argv[stepIndex + 2]);
    return;
  }
  const bigBytes = Math.round(Number(process.env.SCALE_BIG_GIB ?? 4.25) * GiB);
  const files = Number(process.env.SCALE_FILES ?? 100_000);
  const dir = fs.mkdtempSync(path.join(process.env.SCALE_DIR ?? os.tmpdir(), 'octozip-scale-'));
  const results: StepResult[] = [];
  try {
    console.log(`scale bench in ${dir}: big file ${(bigBytes / GiB).toFixed(2)} GiB, tree of ${files} files (${os.cpus().length} CPUs)`);
    makeBigFile(path.join(dir, 'big.bin'), bigBytes);
    const bigSha = sha256File(path.join(dir, 'big.bin'));
    results.push(spawnStep('create-big', dir));
    results.push(spawnStep('extract-big', dir));
    if (sha256File(path.join(dir, 'out-big', 'big.bin')) !== bigSha) throw new Error('big file came back different');
    fs.rmSync(path.join(dir, 'out-big'), { recursive: true });
    fs.rmSync(path.join(dir, 'big.bin'));
    makeTree(path.join(dir, 'tree'), files);
    results.push(spawnStep('create-tree', dir));
    results.push(spawnStep('list-tree', dir));
    results.push(spawnStep('extract-tree', dir));
    const sample = `d${String(Math.floor((files - 1) / 1000)).padStart(4, '0')}/f${files - 1}.txt`;
    if (!fs.readFileSync(path.join(dir, 'out-tree', 'tree', sample)).equals(fs.readFileSync(path.join(dir, 'tree', sample)))) {
      throw new Error('tree came back different');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n| step | seconds | peak RSS (MiB) | detail |\n|---|---:|---:|---|');
  for (const r of results) console.log(`| ${r.step} | ${r.seconds.toFixed(1)} | ${r.maxRssMiB.toFixed(0)} | ${r.detail} |`);
}

await main();
