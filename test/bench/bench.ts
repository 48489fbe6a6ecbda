// `npm run bench`: Octozip against the classical compressors on the Canterbury corpus, all measured in this run,
// plus end-to-end CLI throughput and peak memory. Prints a markdown report and writes it to docs/BENCHMARK.md.
//
//   npm run bench                 the full benchmark (several minutes on 2 cores)
//   npm run bench -- --no-write   print only, leave docs/BENCHMARK.md alone
//   npm run bench -- --scale      also: a 2 GB generated input through `--preset fast` (time, peak RSS)
//   npm run bench -- --only=xargs.1,grammar.lsp --no-trees --no-write   a quick check of the script itself
//   npm run bench -- --no-trees   skip the curl tree section (test/bench/trees.ts; `npm run bench:trees` runs it alone)
//
// Bits per byte = 8 x compressed bytes / original bytes. "Whole corpus" sums the per-file results of each
// compressor, as docs of the corpus do; for Octozip it is one archive of the whole folder.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, type Measured, modelLine, nowUtc, repoRoot, timed } from './measure.ts';
import { writeReportSections } from './report.ts';
import { treesBench } from './trees.ts';

// OCTOZIP_CORPUS_DIR lets the benchmark run from a snapshot of the tree elsewhere (see docs/BENCHMARK.md).
const corpusDir = path.resolve(process.env.OCTOZIP_CORPUS_DIR ?? path.join(repoRoot, '../shared/corpus/canterbury'));
const cli = path.join(repoRoot, 'bin/octozip.js');
const args = new Set(process.argv.slice(2));
const work = mkdtempSync(path.join(os.tmpdir(), 'octozip-bench-'));

function sizeOf(file: string): number {
  return statSync(file).size;
}

function bpb(compressed: number, raw: number): number {
  return (8 * compressed) / raw;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const CLASSICAL: { name: string; compress: (file: string, out: string) => void }[] = [
  { name: 'xz -9e', compress: (f, o) => writeFileSync(o, execFileSync('xz', ['-9e', '-c', f], { maxBuffer: 1 << 30 })) },
  { name: 'zstd -19', compress: (f, o) => writeFileSync(o, execFileSync('zstd', ['-19', '-q', '-c', f], { maxBuffer: 1 << 30 })) },
  {
    name: 'brotli -q11 -w24',
    compress: (f, o) => writeFileSync(o, execFileSync('brotli', ['-q', '11', '-w', '24', '-c', f], { maxBuffer: 1 << 30 })),
  },
  { name: 'bzip2 -9', compress: (f, o) => writeFileSync(o, execFileSync('bzip2', ['-9', '-c', f], { maxBuffer: 1 << 30 })) },
  {
    name: '7z PPMd o32',
    compress: (f, o) => {
      rmSync(o, { force: true });
      execFileSync('7zz', ['a', '-bd', '-bso0', '-m0=PPMd:o=32:mem=192m', o, f]);
    },
  },
];

interface OctozipResult {
  archiveBytes: number;
  packedBytes: number;
  rawBytes: number;
  codecs: Record<string, number>;
  measured: Measured;
}

function octozipCreate(inputs: string[], archive: string, preset = 'balanced'): OctozipResult {
  const m = timed(process.execPath, [cli, 'create', '--json', '--overwrite', '--preset', preset, archive, ...inputs], work);
  const summary = JSON.parse(m.stdout.slice(m.stdout.indexOf('{')));
  return {
    archiveBytes: summary.archiveBytes,
    packedBytes: summary.packedBytes,
    rawBytes: summary.rawBytes,
    codecs: summary.rawBytesByCodec,
    measured: m,
  };
}

function octozipExtract(archive: string, dest: string): Measured {
  rmSync(dest, { recursive: true, force: true });
  return timed(process.execPath, [cli, 'extract', '--overwrite', '-o', dest, archive], work);
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function fmt(v: number): string {
  return v.toFixed(3);
}

const canterburyLines: string[] = [];
const say = (line = ''): void => {
  canterburyLines.push(line);
  console.log(line);
};

try {
  const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const files = readdirSync(corpusDir)
    .sort()
    .filter((f) => !only || only.includes(f));
  const loadStart = os.loadavg()[0]!;
  say(`Measured ${nowUtc()} by \`npm run bench\` on ${machine()}.`);
  say(`Model: ${modelLine()}. Load average at start: ${loadStart.toFixed(2)} (the machine is shared; timings vary with it).`);
  say('Tools: xz, zstd, brotli, bzip2, 7zz (7-Zip) and GNU time (`/usr/bin/time`, Debian package `time`) for CPU time and peak RSS.');
  say();

  // --- compression ratio ----------------------------------------------------------------------------------
  const raw = new Map(files.map((f) => [f, sizeOf(path.join(corpusDir, f))]));
  const classical = new Map<string, Map<string, number>>();
  for (const c of CLASSICAL) {
    const sizes = new Map<string, number>();
    for (const f of files) {
      const out = path.join(work, `${f}.${c.name.split(' ')[0]}`);
      c.compress(path.join(corpusDir, f), out);
      sizes.set(f, sizeOf(out));
      rmSync(out, { force: true });
    }
    classical.set(c.name, sizes);
  }
  // Balanced is the default; maximum keeps each chunk one segment (better ratio, slower decode).
  const presets = args.has('--balanced-only') ? ['balanced'] : ['balanced', 'maximum'];
  const perFile = new Map<string, Map<string, OctozipResult>>(presets.map((p) => [p, new Map()]));
  const whole = new Map<string, OctozipResult>();
  for (const preset of presets) {
    for (const f of files) {
      const archive = path.join(work, `${f}.octz`);
      perFile.get(preset)!.set(f, octozipCreate([path.join(corpusDir, f)], archive, preset));
      // Every balanced archive must also come back exactly. (Maximum's single-lane decode is too slow to repeat
      // for every file here; its round trip is covered by the tests and by the lcet10.txt throughput run below.)
      if (preset === 'balanced') {
        octozipExtract(archive, path.join(work, 'out'));
        if (sha256(path.join(work, 'out', f)) !== sha256(path.join(corpusDir, f))) throw new Error(`${f} did not round-trip`);
      }
      rmSync(archive, { force: true });
    }
    if (preset === 'balanced') {
      const wholeArchive = path.join(work, 'corpus.octz');
      whole.set(preset, octozipCreate(only ? files.map((f) => path.join(corpusDir, f)) : [corpusDir], wholeArchive, preset));
      rmSync(wholeArchive, { force: true });
    } else {
      // Chunks never span files, so the folder's payload is the sum of the files' payloads; only the SQLite
      // overhead differs, which we take from the balanced archive of the same folder.
      const sum = (key: 'packedBytes' | 'rawBytes'): number => files.reduce((t, f) => t + perFile.get(preset)!.get(f)![key], 0);
      const balanced = whole.get('balanced')!;
      const codecs: Record<string, number> = {};
      for (const f of files) for (const [c, n] of Object.entries(perFile.get(preset)!.get(f)!.codecs)) codecs[c] = (codecs[c] ?? 0) + n;
      whole.set(preset, {
        packedBytes: sum('packedBytes'),
        rawBytes: sum('rawBytes'),
        archiveBytes: sum('packedBytes') + (balanced.archiveBytes - balanced.packedBytes),
        codecs,
        measured: balanced.measured,
      });
    }
  }

  say('## Bits per byte, Canterbury corpus');
  say();
  say(
    '"archive" is the whole .octz file (a SQLite database: about 9 KB of fixed overhead, which dominates tiny files); ' +
      '"payload" is the sum of its chunk payloads alone; the codec that won each file\'s chunks is in brackets. ' +
      'The whole-corpus row for Octozip is one archive of the whole folder; for the others, the sum over files.',
  );
  say();
  const names = CLASSICAL.map((c) => c.name);
  const octoCols = presets.flatMap((p) => [`${p} archive`, `${p} payload`]);
  say(`| file | bytes | ${octoCols.join(' | ')} | ${names.join(' | ')} |`);
  say(`|---|---:|${octoCols.map(() => '---:').join('|')}|${names.map(() => '---:').join('|')}|`);
  let totalRaw = 0;
  const totals = new Map<string, number>(names.map((n) => [n, 0]));
  for (const f of files) {
    const n = raw.get(f)!;
    totalRaw += n;
    const octo = presets.flatMap((p) => {
      const o = perFile.get(p)!.get(f)!;
      return [fmt(bpb(o.archiveBytes, n)), `${fmt(bpb(o.packedBytes, n))} (${Object.keys(o.codecs).join('+') || '-'})`];
    });
    const cells = names.map((name) => {
      const s = classical.get(name)!.get(f)!;
      totals.set(name, totals.get(name)! + s);
      return fmt(bpb(s, n));
    });
    say(`| ${f} | ${n} | ${octo.join(' | ')} | ${cells.join(' | ')} |`);
  }
  const wholeCells = presets.flatMap((p) => {
    const w = whole.get(p)!;
    // Only balanced makes the folder archive; maximum's is its payloads plus that archive's SQLite overhead.
    const approx = p === 'balanced' ? '' : '~';
    return [`**${approx}${fmt(bpb(w.archiveBytes, w.rawBytes))}**`, `${fmt(bpb(w.packedBytes, w.rawBytes))} (${Object.keys(w.codecs).join('+')})`];
  });
  say(`| **whole corpus** | ${totalRaw} | ${wholeCells.join(' | ')} | ${names.map((name) => fmt(bpb(totals.get(name)!, totalRaw))).join(' | ')} |`);
  say();

  // --- targets --------------------------------------------------------------------------------------------
  say('## Targets');
  say();
  say('Ratio targets are judged on chunk payloads; the archive column adds the fixed SQLite overhead.');
  say();
  say('| target | preset | measured payload / archive | met (payload) |');
  say('|---|---|---|---|');
  const ppmd = classical.get('7z PPMd o32')!;
  const brotli = classical.get('brotli -q11 -w24')!;
  const check = (target: string, f: string, limit: number, strict: boolean): void => {
    for (const p of presets) {
      const o = perFile.get(p)!.get(f)!;
      const got = bpb(o.packedBytes, raw.get(f)!);
      const ok = strict ? got < limit : got <= limit;
      say(`| ${target} | ${p} | ${fmt(got)} / ${fmt(bpb(o.archiveBytes, raw.get(f)!))} | ${ok ? 'yes' : 'no'} |`);
    }
  };
  for (const f of ['alice29.txt', 'asyoulik.txt', 'lcet10.txt', 'plrabn12.txt'].filter((f) => raw.has(f))) {
    const limit = 0.9 * bpb(ppmd.get(f)!, raw.get(f)!);
    check(`${f} <= 0.9 x PPMd = ${fmt(limit)}`, f, limit, false);
  }
  for (const f of ['cp.html', 'fields.c'].filter((f) => raw.has(f))) {
    check(`${f} < brotli = ${fmt(bpb(brotli.get(f)!, raw.get(f)!))}`, f, bpb(brotli.get(f)!, raw.get(f)!), true);
  }
  for (const p of presets) {
    const w = whole.get(p)!;
    const payload = bpb(w.packedBytes, w.rawBytes);
    say(`| whole corpus <= 1.25 | ${p} | ${fmt(payload)} / ${fmt(bpb(w.archiveBytes, w.rawBytes))} | ${payload <= 1.25 ? 'yes' : 'no'} |`);
  }

  // --- throughput -----------------------------------------------------------------------------------------
  const lcet = path.join(corpusDir, 'lcet10.txt');
  const lcetBytes = sizeOf(lcet);
  const creates: Measured[] = [];
  const extracts: Measured[] = [];
  const lcetArchive = path.join(work, 'lcet10.octz');
  for (let i = 0; i < (args.has('--once') ? 1 : 3); i++) {
    creates.push(octozipCreate([lcet], lcetArchive).measured);
    extracts.push(octozipExtract(lcetArchive, path.join(work, 'out')));
    if (sha256(path.join(work, 'out', 'lcet10.txt')) !== sha256(lcet)) throw new Error('lcet10.txt did not round-trip');
  }
  const rate = (ms: Measured[]): string => `${((lcetBytes / median(ms.map((m) => m.wall))) / 1000).toFixed(1)} KB/s`;
  const compressOk = lcetBytes / median(creates.map((m) => m.wall)) >= 100_000;
  const extractOk = lcetBytes / median(extracts.map((m) => m.wall)) >= 100_000;
  const peak = Math.max(...creates.map((m) => m.rssKiB), ...extracts.map((m) => m.rssKiB));
  say(`| compress lcet10.txt through the CLI >= 100 KB/s | balanced | ${rate(creates)} | ${compressOk ? 'yes' : 'no'} |`);
  say(`| decompress lcet10.txt through the CLI >= 100 KB/s | balanced | ${rate(extracts)} | ${extractOk ? 'yes' : 'no'} |`);
  say(`| peak RSS < 1 GB | balanced | ${(peak / 1024).toFixed(0)} MiB | ${peak < 1024 * 1024 ? 'yes' : 'no'} |`);
  say();
  say('## Throughput, end to end through the CLI (start-up included), lcet10.txt, median of 3');
  say();
  say('`npm run bench` compiles the engine first, so bin/octozip.js runs the compiled build in dist/, as an installed');
  say('CLI would (from source through tsx, start-up takes about 0.4 s longer).');
  say();
  say('| operation | wall s | CPU s | KB/s (wall) | peak RSS MiB |');
  say('|---|---:|---:|---:|---:|');
  const rows: [string, Measured[]][] = [
    ['octozip create (balanced)', creates],
    ['octozip extract (balanced)', extracts],
  ];
  if (presets.includes('maximum')) {
    // Once only: one segment per chunk decodes one byte per ORT call.
    const maxArchive = path.join(work, 'lcet10-max.octz');
    rows.push(['octozip create (maximum, 1 run)', [octozipCreate([lcet], maxArchive, 'maximum').measured]]);
    rows.push(['octozip extract (maximum, 1 run)', [octozipExtract(maxArchive, path.join(work, 'out'))]]);
  }
  for (const [name, ms] of rows) {
    const wall = median(ms.map((m) => m.wall));
    say(`| ${name} | ${wall.toFixed(2)} | ${median(ms.map((m) => m.cpu)).toFixed(2)} | ${(lcetBytes / wall / 1000).toFixed(1)} | ${(Math.max(...ms.map((m) => m.rssKiB)) / 1024).toFixed(0)} |`);
  }
  say();
  say(`Load average at the end: ${os.loadavg()[0]!.toFixed(2)}.`);

  // --- scale ----------------------------------------------------------------------------------------------
  if (args.has('--scale')) {
    const big = path.join(work, 'big.bin');
    const GiB = 2 ** 30;
    const fd = openSync(big, 'w');
    // Text-like input: the corpus repeated with a changing prefix per copy, so it is neither random nor trivially deduplicated.
    const text = Buffer.concat(files.filter((f) => f.endsWith('.txt')).map((f) => readFileSync(path.join(corpusDir, f))));
    let written = 0;
    for (let copy = 0; written < 2 * GiB; copy++) {
      const piece = Buffer.concat([Buffer.from(`copy ${copy}\n`), text]);
      const n = Math.min(piece.length, 2 * GiB - written);
      writeSync(fd, piece, 0, n);
      written += n;
    }
    closeSync(fd);
    const m = octozipCreate([big], path.join(work, 'big.octz'), 'fast');
    const x = octozipExtract(path.join(work, 'big.octz'), path.join(work, 'bigout'));
    say();
    say('## Scale: 2 GiB generated text through `--preset fast`');
    say();
    say('| operation | wall s | CPU s | MB/s | peak RSS MiB |');
    say('|---|---:|---:|---:|---:|');
    say(`| create | ${m.measured.wall.toFixed(1)} | ${m.measured.cpu.toFixed(1)} | ${(written / m.measured.wall / 1e6).toFixed(1)} | ${(m.measured.rssKiB / 1024).toFixed(0)} |`);
    say(`| extract | ${x.wall.toFixed(1)} | ${x.cpu.toFixed(1)} | ${(written / x.wall / 1e6).toFixed(1)} | ${(x.rssKiB / 1024).toFixed(0)} |`);
  }

  say();
  say('## Reproducing');
  say();
  say('`npm run bench` (add `--scale` for the 2 GiB run). In a tree where others are editing code, benchmark a frozen');
  say('snapshot instead, so that create and extract run the same code:');
  say('`mkdir /tmp/snap && git archive HEAD | tar -x -C /tmp/snap && ln -s $PWD/node_modules /tmp/snap/ && (export OCTOZIP_CORPUS_DIR=$PWD/../shared/corpus/canterbury; cd /tmp/snap && npm run build:prior && npm run bench)`');
  say('(then copy /tmp/snap/docs/BENCHMARK.md back). Per-step ORT cost by batch size: `npx tsx test/bench/ort-step.ts`.');

  const trees = args.has('--no-trees') ? undefined : treesBench({});
  if (!args.has('--no-write')) {
    const file = writeReportSections(trees ? { canterbury: canterburyLines, trees } : { canterbury: canterburyLines });
    console.log(`\nWrote ${path.relative(repoRoot, file)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
