// The `octozip` command: a thin shell over the engine. Errors become one line on stderr, never a stack;
// exit 0 on success, 2 when damage or an integrity failure was found, 1 for anything else.
import path from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import {
  archiveInfo,
  createArchive,
  exitCodeFor,
  extractArchive,
  listArchive,
  OctozipError,
  verifyArchive,
  type ConflictPolicy,
  type EntryInfo,
  type Preset,
  type Progress,
  type ProgressListener,
} from './engine/index.ts';

const VERSION = '0.1.0';

/** Ctrl-C cancels the running job cleanly (temp files removed) instead of killing the process mid-write. */
function cancellation(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
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

function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`octozip: ${message.split('\n')[0]}\n`);
  process.exit(exitCodeFor(err));
}

const program = new Command()
  .name('octozip')
  .description('Lossless archiver: a small language model predicts each byte, a range coder stores the surprise.')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('create')
  .description('create ARCHIVE from files and folders (a folder is stored under its own name; "." stores the current folder\'s contents)')
  .argument('<archive>', 'the .octz file to write')
  .argument('<paths...>', 'files and folders to store')
  .addOption(new Option('--preset <preset>', 'compression preset').choices(['fast', 'balanced', 'maximum']).default('balanced'))
  .option('--overwrite', 'replace ARCHIVE if it exists')
  .option('--json', 'print the summary as JSON')
  .action(async (archive: string, paths: string[], opts: { preset: Preset; overwrite?: boolean; json?: boolean }) => {
    const bar = progressBar(!opts.json);
    try {
      const summary = await createArchive({
        archivePath: archive,
        inputs: paths,
        preset: opts.preset,
        overwrite: opts.overwrite ?? false,
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

program
  .command('list')
  .description('list the entries of ARCHIVE without decompressing anything')
  .argument('<archive>')
  .option('--json', 'print machine-readable JSON')
  .action(async (archive: string, opts: { json?: boolean }) => {
    try {
      const listing = await listArchive(archive);
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
    new Option('--conflict <policy>', 'when a destination path exists').choices(['overwrite', 'skip', 'rename']).default('skip'),
  )
  .option('--overwrite', 'same as --conflict overwrite')
  .option('--json', 'print the summary as JSON')
  .action(async (archive: string, entries: string[], opts: { output: string; conflict: ConflictPolicy; overwrite?: boolean; json?: boolean }) => {
    const bar = progressBar(!opts.json);
    try {
      const summary = await extractArchive({
        archivePath: archive,
        destDir: path.resolve(opts.output),
        entries,
        conflict: opts.overwrite ? 'overwrite' : opts.conflict,
        signal: cancellation(),
        onProgress: bar.listener,
      });
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

program
  .command('verify')
  .description('check every chunk and file of ARCHIVE; exit 2 if anything is damaged')
  .argument('<archive>')
  .option('--json', 'print the per-entry report as JSON')
  .action(async (archive: string, opts: { json?: boolean }) => {
    const bar = progressBar(!opts.json);
    try {
      const report = await verifyArchive({ archivePath: archive, signal: cancellation(), onProgress: bar.listener });
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
  .action(async (archive: string, opts: { json?: boolean }) => {
    try {
      const info = await archiveInfo(archive);
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

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err instanceof OctozipError ? err : err);
}
