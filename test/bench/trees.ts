// `npm run bench:trees`: a real folder, the curl source tree (../shared/corpus/trees/curl.tar.xz), archived by
// Octozip through its CLI and by the classical archivers, all in this run on this machine: archive bytes,
// create and extract seconds, peak RSS, and whether the extracted tree equals the source. Plus one small case:
// a one-file archive of 8 KB of English text, where an archive's fixed cost shows. `npm run bench` runs it too.
//
//   npm run bench:trees                                   presets fast and balanced, every peer; writes its
//                                                         section of docs/BENCHMARK.md (the others stay)
//   npm run bench:trees -- --no-write                     print only
//   npm run bench:trees -- --presets=fast,balanced,maximum   maximum too (slow on 18 MB)
//   npm run bench:trees -- --source=DIR --presets=fast --no-write   a quick check of the script on another folder
//
// Every command runs through bash under GNU time, in the folder that holds the tree (create) or in an empty
// folder (extract); the table prints each command as it ran. `octozip` is this checkout's bin/octozip.js.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot, type SnapshotEntry } from '../helpers/tree.ts';
import { corpusRoot, machine, type Measured, modelLine, nowUtc, repoRoot, timed } from './measure.ts';
import { writeReportSections } from './report.ts';

/** One archiver, as command lines: `archive` is relative to both the create and the extract folder. */
interface Archiver {
  name: string;
  /** Binaries it needs on PATH; a missing one makes its row "not installed". */
  tools: string[];
  /** The Debian package that holds it, for the versions line and the install hint. */
  debianPackage: string;
  suffix: string;
  create(archive: string, input: string): string;
  extract(archive: string): string;
  /** Octozip's rows also check modes, times and links, and read the payload size from `octozip info`. */
  octozip?: boolean;
}

const PEERS: Archiver[] = [
  {
    name: 'zip -9',
    tools: ['zip', 'unzip'],
    debianPackage: 'zip',
    suffix: 'zip',
    create: (a, i) => `zip -q -9 -r ${a} ${i}`,
    extract: (a) => `unzip -q ${a}`,
  },
  {
    name: 'tar + xz -9e',
    tools: ['tar', 'xz'],
    debianPackage: 'xz-utils',
    suffix: 'tar.xz',
    create: (a, i) => `tar -cf - ${i} | xz -9e > ${a}`,
    extract: (a) => `xz -dc ${a} | tar -xf -`,
  },
  {
    name: '7-Zip LZMA2 -mx9 (solid)',
    tools: ['7zz'],
    debianPackage: '7zip',
    suffix: 'lzma2.7z',
    create: (a, i) => `7zz a -bd -bso0 -mx9 ${a} ${i}`,
    extract: (a) => `7zz x -bd -bso0 ${a}`,
  },
  {
    name: '7-Zip PPMd o32',
    tools: ['7zz'],
    debianPackage: '7zip',
    suffix: 'ppmd.7z',
    create: (a, i) => `7zz a -bd -bso0 -m0=PPMd:o=32:mem=192m ${a} ${i}`,
    extract: (a) => `7zz x -bd -bso0 ${a}`,
  },
  {
    name: 'zpaq -m4',
    tools: ['zpaq'],
    debianPackage: 'zpaq',
    suffix: 'm4.zpaq',
    create: (a, i) => `zpaq a ${a} ${i} -m4 -t2`,
    extract: (a) => `zpaq x ${a} -t2`,
  },
  {
    name: 'zpaq -m5',
    tools: ['zpaq'],
    debianPackage: 'zpaq',
    suffix: 'm5.zpaq',
    create: (a, i) => `zpaq a ${a} ${i} -m5 -t2`,
    extract: (a) => `zpaq x ${a} -t2`,
  },
];

/** blockSize: a --block-size of the user's (4m), or the preset's when undefined. */
function octozipArchiver(preset: string, threads: number | undefined, extractThreads: boolean, blockSize?: string): Archiver {
  const t = threads === undefined ? '' : ` --threads ${threads}`;
  const b = blockSize === undefined ? '' : ` --block-size ${blockSize}`;
  return {
    name: `octozip ${preset}${t}${b}`,
    tools: ['octozip'],
    debianPackage: '',
    suffix: `${preset}${threads === undefined ? '' : `-t${threads}`}${blockSize === undefined ? '' : `-b${blockSize}`}.octz`,
    create: (a, i) => `octozip create --preset ${preset}${t}${b} ${a} ${i}`,
    extract: (a) => `octozip extract${extractThreads ? t : ''} -o . ${a}`,
    octozip: true,
  };
}

export interface TreesOptions {
  /** A folder to measure instead of the curl tree (a quick check of this script). */
  source?: string;
  presets?: string[];
  /** Where each line of the report goes as it is made; console.log by default. */
  print?: (line: string) => void;
}

interface TreeSize {
  files: number;
  folders: number;
  links: number;
  bytes: number;
}

interface Row {
  archiver: Archiver;
  /** Why there are no figures: "not installed: 7zz", or the command that failed. */
  missing?: string;
  archiveBytes?: number;
  create?: Measured;
  extract?: Measured;
  payloadBytes?: number;
  entries?: number;
  /** "yes", or what differed. */
  comesBack?: string;
}

const quote = (s: string): string => (/^[\w./=:+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

function bash(line: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', line], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`\`${line}\` failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

function hasTool(tool: string, env: NodeJS.ProcessEnv): boolean {
  return spawnSync('bash', ['-c', `command -v ${tool}`], { env }).status === 0;
}

function debianVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? `${pkg} ${r.stdout}` : `${pkg} not installed`;
}

function sizeOfTree(dir: string): TreeSize {
  const size: TreeSize = { files: 0, folders: 0, links: 0, bytes: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) size.links++;
    else if (entry.isDirectory()) {
      const inner = sizeOfTree(p);
      size.folders += 1 + inner.folders;
      size.files += inner.files;
      size.links += inner.links;
      size.bytes += inner.bytes;
    } else {
      size.files++;
      size.bytes += lstatSync(p).size;
    }
  }
  return size;
}

/** What differs between two snapshots: everything for Octozip, the regular files' paths and bytes for the peers. */
function differences(source: Map<string, SnapshotEntry>, back: Map<string, SnapshotEntry>, everything: boolean): string[] {
  // The peers are held to bytes only: zip and 7-Zip store a link as the file it points to, and modes and
  // times are not what they are measured on here.
  const fields = everything ? (['type', 'mode', 'mtimeMs', 'sha256', 'target'] as const) : (['type', 'sha256'] as const);
  const out: string[] = [];
  for (const [p, e] of source) {
    if (!everything && e.type !== 'file') continue;
    const f = back.get(p);
    if (!f) out.push(`${p} missing`);
    else {
      const differ = fields.filter((k) => e[k] !== f[k]);
      if (differ.length > 0) out.push(`${p}: ${differ.join(', ')} differ`);
    }
  }
  for (const p of back.keys()) if (!source.has(p)) out.push(`${p} extra`);
  return out;
}

/** Creates, extracts into an empty folder and compares one archiver's round trip of `input` (a name in `from`). */
function measure(archiver: Archiver, work: string, from: string, input: string, env: NodeJS.ProcessEnv, log: (s: string) => void): Row {
  const absent = archiver.tools.filter((t) => !hasTool(t, env));
  if (absent.length > 0) return { archiver, missing: `not installed (${absent.join(', ')})` };
  const archive = `../${input}.${archiver.suffix}`;
  const archivePath = path.join(from, archive);
  const out = path.join(work, 'out');
  rmSync(archivePath, { force: true });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  // `sync` first: the write-back of the previous run's output (18 MB for an extract) must not land in this one's time.
  const run = (line: string, cwd: string): Measured => {
    spawnSync('sync');
    return timed('bash', ['-o', 'pipefail', '-c', line], cwd, env);
  };
  try {
    const row: Row = { archiver };
    row.create = run(archiver.create(archive, quote(input)), from);
    row.archiveBytes = statSync(archivePath).size;
    row.extract = run(archiver.extract(archive), out);
    if (archiver.octozip) {
      const info = JSON.parse(bash(`octozip info --json ${archive}`, out, env));
      row.payloadBytes = info.packedBytes;
      row.entries = info.entries;
    }
    const source = path.join(from, input);
    const back = path.join(out, input);
    const whole = (p: string): Map<string, SnapshotEntry> => (statSync(p).isDirectory() ? snapshot(p) : snapshot(path.dirname(p)));
    const diff = existsSync(back) ? differences(whole(source), whole(back), archiver.octozip === true) : [`${input} missing`];
    row.comesBack = diff.length === 0 ? 'yes' : `**no**: ${diff.length} differences, first ${diff[0]}`;
    log(`${archiver.name}: ${row.archiveBytes} bytes, create ${row.create.wall.toFixed(1)} s, extract ${row.extract.wall.toFixed(1)} s, comes back: ${row.comesBack}`);
    return row;
  } catch (e) {
    log(`${archiver.name}: ${(e as Error).message}`);
    return { archiver, missing: `failed: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(archivePath, { force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

/** A folder on PATH whose `octozip` is this checkout's CLI, run by this Node. */
function octozipOnPath(work: string): NodeJS.ProcessEnv {
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(path.join(repoRoot, 'bin/octozip.js'), path.join(bin, 'octozip'));
  return { ...process.env, PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
}

/** Whether `octozip <command> --help` lists the option (checkouts before it get no row that needs it). */
function acceptsOption(command: string, option: string, env: NodeJS.ProcessEnv, work: string): boolean {
  return bash(`octozip ${command} --help`, work, env).includes(option);
}

const mib = (kib: number): string => (kib / 1024).toFixed(0);
const bits = (bytes: number, raw: number): string => ((8 * bytes) / raw).toFixed(3);
const group = (n: number): string => n.toLocaleString('en-US');
const seconds = (m: Measured): string => `${m.wall.toFixed(1)} (${m.cpu.toFixed(1)})`;

function treeTable(rows: Row[], raw: number): string[] {
  const lines = [
    '| archiver | archive bytes | bits per byte | create s (CPU s) | extract s (CPU s) | peak RSS MiB create / extract | structure bytes per entry | comes back |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    if (r.missing) {
      lines.push(`| ${r.archiver.name} | ${r.missing} | | | | | | |`);
      continue;
    }
    const structure = r.payloadBytes === undefined ? '-' : ((r.archiveBytes! - r.payloadBytes) / r.entries!).toFixed(1);
    lines.push(
      `| ${r.archiver.name} | ${group(r.archiveBytes!)} | ${bits(r.archiveBytes!, raw)} | ${seconds(r.create!)} | ${seconds(r.extract!)} | ` +
        `${mib(r.create!.rssKiB)} / ${mib(r.extract!.rssKiB)} | ${structure} | ${r.comesBack} |`,
    );
  }
  return lines;
}

function smallTable(rows: Row[], raw: number): string[] {
  const lines = ['| archiver | archive bytes | archive / file | payload bytes | comes back |', '|---|---:|---:|---:|---|'];
  for (const r of rows) {
    if (r.missing) lines.push(`| ${r.archiver.name} | ${r.missing} | | | |`);
    else {
      const payload = r.payloadBytes === undefined ? '-' : group(r.payloadBytes);
      lines.push(`| ${r.archiver.name} | ${group(r.archiveBytes!)} | ${(r.archiveBytes! / raw).toFixed(3)} | ${payload} | ${r.comesBack} |`);
    }
  }
  return lines;
}

function commandTable(archivers: Archiver[], input: string): string[] {
  const lines = ['| archiver | create (in the folder holding the tree) | extract (in an empty folder) |', '|---|---|---|'];
  for (const a of archivers) {
    const archive = `../${input}.${a.suffix}`;
    lines.push(`| ${a.name} | \`${a.create(archive, input).replaceAll('|', '\\|')}\` | \`${a.extract(archive).replaceAll('|', '\\|')}\` |`);
  }
  return lines;
}

/** 8 KB of English that is neither in the benchmark corpus nor in the prior's text: the GPL's opening. */
const SMALL_TEXT = '/usr/share/common-licenses/GPL-3';
const SMALL_BYTES = 8192;
/** The --block-size of the extra balanced row. */
const SMALL_BLOCKS = '8m';

/** Runs the whole trees benchmark and returns its report section (also printed line by line). */
export function treesBench(options: TreesOptions = {}): string[] {
  const print = options.print ?? ((line: string) => console.log(line));
  const log = (s: string): void => console.error(`[trees] ${s}`);
  const presets = options.presets ?? ['fast', 'balanced'];
  const work = mkdtempSync(path.join(os.tmpdir(), 'octozip-trees-'));
  const lines: string[] = [];
  const say = (line = ''): void => {
    lines.push(line);
    print(line);
  };
  try {
    const loadStart = os.loadavg()[0]!;
    const started = nowUtc();
    const from = path.join(work, 'src');
    mkdirSync(from);
    let input: string;
    let sourceLine: string;
    if (options.source) {
      const source = path.resolve(options.source);
      input = path.basename(source);
      bash(`cp -a ${quote(source)} .`, from, process.env);
      sourceLine = `the folder ${source}`;
    } else {
      const tarball = path.join(corpusRoot(), 'trees/curl.tar.xz');
      if (!existsSync(tarball)) throw new Error(`${tarball} is missing: lay ../shared/corpus beside the checkout, or set OCTOZIP_CORPUS_DIR`);
      bash(`tar -xJf ${quote(tarball)}`, from, process.env);
      input = 'curl';
      sourceLine = `the curl source tree (\`${path.relative(repoRoot, tarball)}\`, unpacked with \`tar -xJf\`)`;
    }
    const size = sizeOfTree(path.join(from, input));
    const env = octozipOnPath(work);
    const threads: (number | undefined)[] = acceptsOption('create', '--threads', env, work) ? [1, 2] : [undefined];
    const extractThreads = acceptsOption('extract', '--threads', env, work);
    const octozips = presets.flatMap((p) => threads.map((t) => octozipArchiver(p, t, extractThreads)));
    // Smaller solid blocks trade a little ratio for more blocks to code at once (the tree's code is one 12 MB block).
    if (presets.includes('balanced') && acceptsOption('create', '--block-size', env, work) && threads.includes(2)) {
      octozips.push(octozipArchiver('balanced', 2, extractThreads, SMALL_BLOCKS));
    }
    const archivers = [...octozips, ...PEERS];
    log(`${input}: ${size.files} files, ${size.folders} folders, ${size.links} links, ${size.bytes} bytes; in ${work}`);

    const treeRows = archivers.map((a) => measure(a, work, from, input, env, log));

    const small = path.join(work, 'small');
    mkdirSync(small);
    const smallName = 'english-8k.txt';
    const haveText = existsSync(SMALL_TEXT);
    if (haveText) writeFileSync(path.join(small, smallName), readFileSync(SMALL_TEXT).subarray(0, SMALL_BYTES));
    const smallRows = haveText ? archivers.map((a) => measure(a, work, small, smallName, env, log)) : [];

    say(`## Trees: ${options.source ? input : 'the curl source tree'}`);
    say();
    say(`Measured ${started} by \`npm run bench:trees\` (test/bench/trees.ts) on ${machine()}; load average at start ${loadStart.toFixed(2)}, at the end ${os.loadavg()[0]!.toFixed(2)} (the machine is shared; timings vary with it).`);
    say(`Model: ${modelLine()}.`);
    say(`Tools: ${[...new Set(PEERS.map((p) => p.debianPackage))].map(debianVersion).join(', ')}; GNU time for seconds and peak RSS.`);
    say();
    say(
      `Input: ${sourceLine}: ${group(size.files)} files, ${group(size.folders)} folders, ${group(size.links)} links, ${group(size.bytes)} bytes of file content. ` +
        'Bits per byte = 8 x archive bytes / those bytes. Seconds are wall (CPU in brackets), through each command line below, ' +
        'start-up included, each after a `sync`. "Structure bytes per entry" = (archive bytes - payload bytes from `octozip info --json`) / entries ' +
        '(files and folders): what names, metadata and the SQLite container cost per entry. "Comes back": the tree extracted ' +
        'into an empty folder equals the source, by every regular file\'s path and bytes, and for Octozip also every ' +
        'folder, mode, modification time and symbolic link.',
    );
    say();
    for (const l of treeTable(treeRows, size.bytes)) say(l);
    say();
    say(`### One small file: ${SMALL_BYTES} bytes of English`);
    say();
    if (!haveText) say(`Not measured: ${SMALL_TEXT} is missing (Debian package base-files).`);
    else {
      say(
        `The first ${SMALL_BYTES} bytes of ${SMALL_TEXT} (not a corpus file, and not in the prior's text), alone in an archive: ` +
          'what each format costs around one small file. Same commands as above, with the file in place of the folder.',
      );
      say();
      for (const l of smallTable(smallRows, SMALL_BYTES)) say(l);
    }
    say();
    say('### Commands');
    say();
    say(`\`octozip\` is this checkout's \`bin/octozip.js\`. ${threads[0] === undefined ? 'The CLI has no `--threads` option yet, so one line per preset.' : ''}`);
    say();
    for (const l of commandTable(archivers, input)) say(l);
    say();
    const missing = PEERS.filter((p) => treeRows.some((r) => r.archiver === p && r.missing?.startsWith('not installed')));
    say(
      'Reproduce: `npm run bench:trees` (or `npm run bench`, which runs it after the Canterbury section). The peers are Debian ' +
        `packages, not needed by CI: \`apt-get install ${[...new Set(PEERS.map((p) => p.debianPackage))].join(' ')} time\`` +
        (missing.length > 0 ? ` (missing in this run: ${missing.map((p) => p.name).join(', ')}).` : '.'),
    );
    if (treeRows.concat(smallRows).some((r) => r.archiver.octozip && (r.missing || r.comesBack !== 'yes'))) {
      process.exitCode = 1;
      log('an Octozip round trip failed: see the table');
    }
    return lines;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && existsSync(script) && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
}

if (isMain()) {
  const args = process.argv.slice(2);
  const value = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const lines = treesBench({ source: value('source'), presets: value('presets')?.split(',') });
  if (!args.includes('--no-write')) {
    if (value('source')) console.error('[trees] --source measures another folder: not written to docs/BENCHMARK.md');
    else console.log(`\nWrote ${path.relative(repoRoot, writeReportSections({ trees: lines }))}`);
  }
}
