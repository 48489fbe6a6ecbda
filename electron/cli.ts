// The `octozip` command: a thin shell over the engine. Errors become one line on stderr, never a stack;
// exit 0 on success, 2 when damage or an integrity failure was found, 1 for anything else.
import path from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { newArchivePassword, withArchivePassword } from './cli-password.ts';
import {
  addToArchive,
  archiveInfo,
  CONFLICT_POLICIES,
  createArchive,
  compactArchive,
  DEFAULT_PRESET,
  deleteFromArchive,
  exitCodeFor,
  extractArchive,
  formatBytes,
  listArchive,
  MAX_BLOCK_BYTES,
  MIN_BLOCK_BYTES,
  OCTOZIP_VERSION,
  parseByteSize,
  PRESET_IDS,
  verifyArchive,
  type ConflictPolicy,
  type EntryInfo,
  type Preset,
  type Progress,
  type ProgressListener,
} from './engine/index.ts';

/**
 * Ctrl-C, `kill` and closing the terminal (SIGHUP) cancel the running job cleanly (temp files removed) instead
 * of killing the process mid-write, which would leave a hidden temp file as large as the archive.
 */
function cancellation(): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => controller.abort());
  return controller.signal;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (scripts and pipes stay quiet). */
function progressBar(enabled: boolean): { listener?: ProgressListener; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {percentage}% | {done}/{total} | {rate}/s | {entry}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    listener(p: Progress) {
      const payload = {
        phase: p.phase,
        done: formatBytes(p.bytesDone),
        total: formatBytes(p.bytesTotal),
        rate: formatBytes(p.bytesPerSecond),
        entry: (p.currentEntry ?? '').slice(-40),
      };
      if (!started) {
        bar.start(Math.max(p.bytesTotal, 1), p.bytesDone, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(p.bytesTotal, 1));
        bar.update(p.bytesDone, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function modeString(entry: EntryInfo): string {
  const type = entry.type === 'directory' ? 'd' : entry.type === 'symlink' ? 'l' : '-';
  let bits = '';
  for (let shift = 6; shift >= 0; shift -= 3) {
    const b = (entry.mode >> shift) & 7;
    bits += `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`;
  }
  return type + bits;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Which option raises each extraction limit, for the one-line error. */
const LIMIT_FLAGS: Record<string, string> = { maxTotalBytes: '--max-total-bytes', maxEntries: '--max-entries', maxRatio: '--max-ratio' };

function fail(err: unknown): never {
  let message = err instanceof Error ? err.message : String(err);
  const limit = (err as { limit?: string }).limit;
  if (limit && LIMIT_FLAGS[limit]) message = `${message} (${LIMIT_FLAGS[limit]})`;
  process.stderr.write(`octozip: ${message.split('\n')[0]}\n`);
  process.exit(exitCodeFor(err));
}

const threadsOption = () =>
  new Option('--threads <n>', 'blocks coded at once on worker threads (default: every core; the archive is the same either way)').argParser(
    (value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`not a thread count: ${value}`);
      return n;
    },
  );

const blockSizeOption = () =>
  new Option(
    '--block-size <size>',
    `solid block size, ${formatBytes(MIN_BLOCK_BYTES)} to ${formatBytes(MAX_BLOCK_BYTES)}, as 4m, 8MiB or bytes (default: the preset's, 16 MiB; ` +
      'smaller blocks code on more cores at once and compress a little worse)',
  ).argParser((value: string) => {
    const n = parseByteSize(value);
    if (n === null || n < MIN_BLOCK_BYTES || n > MAX_BLOCK_BYTES) {
      throw new Error(`not a block size from ${formatBytes(MIN_BLOCK_BYTES)} to ${formatBytes(MAX_BLOCK_BYTES)}: ${value}`);
    }
    return n;
  });

const program = new Command()
  .name('octozip')
  .description('Lossless archiver: a small language model predicts each byte, a range coder stores the surprise.')
  .version(OCTOZIP_VERSION)
  .showHelpAfterError();

program
  .command('create')
  .description('create ARCHIVE from files and folders (a folder is stored under its own name; "." stores the current folder\'s contents)')
  .argument('<archive>', 'the .octz file to write')
  .argument('<paths...>', 'files and folders to store')
  .addOption(new Option('--preset <preset>', 'compression preset').choices(PRESET_IDS).default(DEFAULT_PRESET))
  .option('--overwrite', 'replace ARCHIVE if it exists')
  .option('--encrypt', 'encrypt every chunk with a password (from --password-file, OCTOZIP_PASSWORD, or asked for)')
  .option('--encrypt-names', 'also encrypt names and metadata, so listing needs the password (implies --encrypt)')
  .option('--password-file <file>', 'read the password from FILE (implies --encrypt)')
  .option('--json', 'print the summary as JSON')
  .addOption(threadsOption())
  .addOption(blockSizeOption())
  .action(async (archive: string, paths: string[], opts: CreateFlags) => {
    const bar = progressBar(!opts.json);
    try {
      const encrypt = Boolean(opts.encrypt || opts.encryptNames || opts.passwordFile || process.env.OCTOZIP_PASSWORD);
      const password = encrypt ? await newArchivePassword(opts) : undefined;
      const summary = await createArchive({
        archivePath: archive,
        inputs: paths,
        preset: opts.preset,
        blockBytes: opts.blockSize,
        overwrite: opts.overwrite ?? false,
        password,
        encryptNames: opts.encryptNames ?? false,
        threads: opts.threads,
        signal: cancellation(),
        onProgress: bar.listener,
      });
      bar.stop();
      for (const note of summary.notes ?? []) process.stderr.write(`octozip: note: ${note}\n`);
      if (opts.json) return printJson(summary);
      process.stdout.write(
        `${summary.archivePath}: ${summary.entries} entries, ${formatBytes(summary.rawBytes)} -> ${formatBytes(summary.archiveBytes)} ` +
          `(${summary.bitsPerByte.toFixed(3)} bits/byte) in ${summary.seconds.toFixed(1)} s\n`,
      );
    } catch (err) {
      bar.stop();
      fail(err);
    }
  });

interface CreateFlags {
  preset: Preset;
  threads?: number;
  blockSize?: number;
  overwrite?: boolean;
  json?: boolean;
  encrypt?: boolean;
  encryptNames?: boolean;
  passwordFile?: string;
}

const passwordOption = () => new Option('--password-file <file>', "read the archive's password from FILE (or set OCTOZIP_PASSWORD)");

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`not a positive number: ${value}`);
  return n;
}

program
  .command('list')
  .description('list the entries of ARCHIVE without decompressing anything')
  .argument('<archive>')
  .option('--json', 'print machine-readable JSON')
  .addOption(passwordOption())
  .action(async (archive: string, opts: { json?: boolean; passwordFile?: string }) => {
    try {
      const listing = await withArchivePassword(opts, (password) => listArchive(archive, { password }));
      if (opts.json) return printJson(listing);
      const lines = listing.entries.map((e) => {
        const when = new Date(e.mtimeMs).toISOString().slice(0, 16).replace('T', ' ');
        const name = e.type === 'symlink' ? `${e.path} -> ${e.linkTarget ?? ''}` : e.path;
        return `${modeString(e)} ${String(e.size).padStart(12)} ${String(e.packedSize).padStart(12)} ${(e.codec ?? '-').padEnd(6)} ${when} ${name}`;
      });
      process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    } catch (err) {
      fail(err);
    }
  });

program
  .command('extract')
  .description('extract all entries, or the named ones (a folder selects everything under it), into DIR')
  .argument('<archive>')
  .argument('[entries...]', 'entries to extract (default: all)')
  .requiredOption('-o, --output <dir>', 'destination folder (created if missing)')
  .addOption(
    new Option('--conflict <policy>', 'when a destination path exists').choices(CONFLICT_POLICIES).default('skip'),
  )
  .option('--overwrite', 'same as --conflict overwrite')
  .option('--json', 'print the summary as JSON')
  .addOption(passwordOption())
  .option('--max-total-bytes <n>', 'refuse to write more than N bytes (default 64 GiB)', positiveNumber)
  .option('--max-entries <n>', 'refuse archives with more than N entries (default 1,000,000)', positiveNumber)
  .option('--max-ratio <n>', 'refuse output more than N times the stored size, past 1 GiB (default 10,000)', positiveNumber)
  .addOption(threadsOption())
  .action(async (archive: string, entries: string[], opts: ExtractFlags) => {
    const bar = progressBar(!opts.json);
    try {
      const summary = await withArchivePassword(opts, (password) => extractArchive({
        password,
        limits: {
          ...(opts.maxTotalBytes ? { maxTotalBytes: opts.maxTotalBytes } : {}),
          ...(opts.maxEntries ? { maxEntries: opts.maxEntries } : {}),
          ...(opts.maxRatio ? { maxRatio: opts.maxRatio } : {}),
        },
        archivePath: archive,
        destDir: path.resolve(opts.output),
        entries,
        conflict: opts.overwrite ? 'overwrite' : opts.conflict,
        threads: opts.threads,
        signal: cancellation(),
        onProgress: bar.listener,
      }));
      bar.stop();
      if (opts.json) return printJson(summary);
      const extra = [summary.skipped ? `${summary.skipped} skipped (already there)` : '', summary.renamed ? `${summary.renamed} renamed` : '']
        .filter(Boolean)
        .join(', ');
      process.stdout.write(`${summary.written} entries, ${formatBytes(summary.bytes)} written${extra ? `; ${extra}` : ''}\n`);
    } catch (err) {
      bar.stop();
      fail(err);
    }
  });

interface ExtractFlags {
  output: string;
  threads?: number;
  conflict: ConflictPolicy;
  overwrite?: boolean;
  json?: boolean;
  passwordFile?: string;
  maxTotalBytes?: number;
  maxEntries?: number;
  maxRatio?: number;
}

program
  .command('verify')
  .description('check every chunk and file of ARCHIVE; exit 2 if anything is damaged')
  .argument('<archive>')
  .option('--json', 'print the per-entry report as JSON')
  .addOption(passwordOption())
  .addOption(threadsOption())
  .action(async (archive: string, opts: { json?: boolean; passwordFile?: string; threads?: number }) => {
    const bar = progressBar(!opts.json);
    try {
      const report = await withArchivePassword(opts, (password) =>
        verifyArchive({ archivePath: archive, password, threads: opts.threads, signal: cancellation(), onProgress: bar.listener }),
      );
      bar.stop();
      if (opts.json) {
        printJson(report);
      } else {
        for (const problem of report.problems) process.stdout.write(`archive: ${problem}\n`);
        const bad = report.entries.filter((e) => e.verdict !== 'intact');
        for (const e of bad) process.stdout.write(`${e.verdict}: ${e.path}: ${e.problem ?? ''}\n`);
        process.stdout.write(
          report.ok
            ? `OK: ${report.entries.length} entries intact\n`
            : `FAILED: ${bad.length} of ${report.entries.length} entries damaged, ${report.problems.length} archive problems\n`,
        );
      }
      if (!report.ok) process.exitCode = 2;
    } catch (err) {
      bar.stop();
      fail(err);
    }
  });

program
  .command('info')
  .description('print the header of ARCHIVE: format version, sizes, codecs and models')
  .argument('<archive>')
  .option('--json', 'print machine-readable JSON')
  .addOption(passwordOption())
  .action(async (archive: string, opts: { json?: boolean; passwordFile?: string }) => {
    try {
      const info = await withArchivePassword(opts, (password) => archiveInfo(archive, { password }));
      if (opts.json) return printJson(info);
      const lines = [
        `format version: ${info.formatVersion}`,
        `creator:        ${info.creator}`,
        `created:        ${info.createdAt}`,
        `entries:        ${info.entries} (${info.files} files)`,
        `raw size:       ${info.rawBytes} bytes`,
        `packed size:    ${info.packedBytes} bytes (payloads)`,
        `archive size:   ${info.archiveBytes} bytes` +
          (info.rawBytes > 0 ? ` (${((info.archiveBytes * 8) / info.rawBytes).toFixed(3)} bits/byte)` : ''),
        `codecs:         ${info.codecs.join(', ') || '-'}`,
        `encrypted:      ${info.encrypted ? (info.namesEncrypted ? 'yes, names too' : 'yes') : 'no'}`,
        ...Object.entries(info.codecParams).map(([id, params]) => `params ${id}:`.padEnd(16) + JSON.stringify(params)),
        ...(info.models.length === 0 ? ['models:         none'] : info.models.map((m) => `model:          ${m.name} sha256 ${m.sha256}`)),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('add')
  .description('add files and folders to an existing ARCHIVE in one transaction (an entry with the same path is replaced)')
  .argument('<archive>')
  .argument('<paths...>', 'files and folders to add')
  .addOption(new Option('--preset <preset>', "compression preset (default: the archive's)").choices(PRESET_IDS))
  .addOption(passwordOption())
  .option('--json', 'print the summary as JSON')
  .addOption(threadsOption())
  .action(async (archive: string, paths: string[], opts: { preset?: Preset; passwordFile?: string; json?: boolean; threads?: number }) => {
    const bar = progressBar(!opts.json);
    try {
      const summary = await withArchivePassword(opts, (password) =>
        addToArchive({ archivePath: archive, inputs: paths, preset: opts.preset, password, threads: opts.threads, signal: cancellation(), onProgress: bar.listener }),
      );
      bar.stop();
      if (opts.json) return printJson(summary);
      process.stdout.write(
        `${summary.archivePath}: ${summary.added} entries added, ${summary.replaced} replaced` +
          `${summary.reusedContents ? `, ${summary.reusedContents} files already stored` : ''}; now ${formatBytes(summary.archiveBytes)}\n`,
      );
    } catch (err) {
      bar.stop();
      fail(err);
    }
  });

program
  .command('delete')
  .description('delete entries (a folder deletes everything under it) from ARCHIVE in one transaction')
  .argument('<archive>')
  .argument('<entries...>', 'entry paths to delete')
  .addOption(passwordOption())
  .option('--json', 'print the summary as JSON')
  .action(async (archive: string, entries: string[], opts: { passwordFile?: string; json?: boolean }) => {
    try {
      const summary = await withArchivePassword(opts, (password) => deleteFromArchive({ archivePath: archive, entries, password }));
      if (opts.json) return printJson(summary);
      process.stdout.write(`${summary.archivePath}: ${summary.deleted} entries deleted, ${summary.freedContents} stored contents freed\n`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('compact')
  .description("rewrite ARCHIVE without the bytes deleted or replaced entries left behind (converts formats 1 and 2 to the current one)")
  .argument('<archive>')
  .addOption(passwordOption())
  .addOption(threadsOption())
  .option('--json', 'print the summary as JSON')
  .action(async (archive: string, opts: { passwordFile?: string; json?: boolean; threads?: number }) => {
    const bar = progressBar(!opts.json);
    try {
      const summary = await withArchivePassword(opts, (password) =>
        compactArchive({ archivePath: archive, password, threads: opts.threads, signal: cancellation(), onProgress: bar.listener }),
      );
      bar.stop();
      if (opts.json) return printJson(summary);
      process.stdout.write(`${summary.archivePath}: ${formatBytes(summary.bytesBefore)} -> ${formatBytes(summary.archiveBytes)}\n`);
    } catch (err) {
      bar.stop();
      fail(err);
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
