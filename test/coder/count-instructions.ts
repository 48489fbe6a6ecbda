// Dev measurement of the coder's cost in instructions, which unlike time does not drift with the machine: each
// variant (a copy of electron/engine/coder/assembly, as in compare-variants.ts) encodes the file once under
// valgrind's cachegrind, and again a 1-byte file, and the difference per input byte is printed. Repeated runs
// give the same count (three of 100 KB of C++ headers: 19,592 each), so a change of 0.1% shows; wall-clock A/Bs
// here need many alternating runs for 5%. Instructions are not time: cache misses (the context table, the mixer's third
// selector, the APMs) cost more per instruction, so confirm a gain with compare-variants.ts --reps.
//
//   npx tsx test/coder/count-instructions.ts [--prior english|code|markup|none] [--bits N] shipped /tmp/v1 -- FILE
//
// Needs valgrind (Debian: apt-get install valgrind); about a minute per variant for 100 KB. Runs node with
// --no-liftoff (the optimizing compiler from the start, as a long stream runs) and --predictable.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { tableBitsFor } from '../../electron/engine/coder/table-size.ts';
import { resourcesDir } from '../../electron/engine/model/manifest.ts';
import { isPriorId, priorStore } from '../../electron/engine/model/prior-store.ts';
import { compileCoder } from '../../scripts/build-wasm.mjs';

const ENCODE_ONCE = fileURLToPath(new URL('./encode-once.ts', import.meta.url));
const SHIPPED = fileURLToPath(new URL('../../electron/engine/coder/assembly', import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { prior: { type: 'string', default: 'none' }, bits: { type: 'string' } },
});

const split = process.argv.indexOf('--');
const folders = split < 0 ? [] : positionals.slice(0, positionals.length - (process.argv.length - split - 1));
const files = split < 0 ? [] : process.argv.slice(split + 1);
if (folders.length === 0 || files.length !== 1 || (values.prior !== 'none' && !isPriorId(values.prior))) {
  console.error('usage: count-instructions.ts [--prior english|code|markup|none] [--bits N] FOLDER... -- FILE');
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), 'octozip-instructions-'));
const oneByte = path.join(work, 'one-byte');
writeFileSync(oneByte, readFileSync(files[0]!).subarray(0, 1));
const inputBytes = readFileSync(files[0]!).length;
// Both runs get the table the whole file gets, so that the difference is the coding alone.
const priorId = values.prior;
const tableBits = values.bits ?? String(isPriorId(priorId) ? priorStore(undefined, priorId).manifest.tableBits : tableBitsFor(inputBytes));

/**
 * The child, encode-once.ts, bundled into plain JavaScript: run through tsx, its loader thread and esbuild
 * service ran beside the coding, and identical runs counted from 12,400 to 19,400 instructions per byte.
 */
const child = path.join(work, 'encode-once.mjs');

/** Instructions cachegrind counts for one child run (user space, this process only). */
function count(wasm: string, file: string): Promise<number> {
  const args = ['--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', '--cachegrind-out-file=/dev/null'];
  args.push(process.execPath, '--no-liftoff', '--predictable', child, wasm, priorId!, tableBits, file, resourcesDir());
  const run = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  run.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    run.on('error', (error) => reject(new Error(`could not run valgrind (apt-get install valgrind): ${error.message}`)));
    run.on('close', (status) => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (status !== 0 || !refs) reject(new Error(`cachegrind failed (exit ${status}):\n${stderr}`));
      else resolve(Number(refs[1]!.replaceAll(',', '')));
    });
  });
}

/** Runs the jobs, at most `width` at a time (each cachegrind run is single-threaded). */
async function pooled<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

try {
  await build({ entryPoints: [ENCODE_ONCE], bundle: true, platform: 'node', format: 'esm', outfile: child, logLevel: 'error', external: ['better-sqlite3', 'onnxruntime-node'] });
  console.log(`${path.basename(files[0]!)}, ${inputBytes} bytes; prior ${priorId}; 2^${tableBits} slots`);
  const wasms = await Promise.all(
    folders.map(async (folder, i) => {
      const wasm = path.join(work, `${i}.wasm`);
      writeFileSync(wasm, await compileCoder(folder === 'shipped' ? SHIPPED : path.resolve(folder)));
      return wasm;
    }),
  );
  const counts = await pooled(wasms.flatMap((wasm) => [() => count(wasm, files[0]!), () => count(wasm, oneByte)]), availableParallelism());
  folders.forEach((folder, i) => {
    const perByte = (counts[2 * i]! - counts[2 * i + 1]!) / (inputBytes - 1);
    console.log(`${folder}: ${perByte.toFixed(0)} instructions per byte`);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
