// Measures the priors: bits per byte of the cm coder on held-out text, cold and primed with each prior, and
// what each prior costs (file size = RAM per primed stream, build time). See build/prior/README.md.
//
//   npx tsx build/prior/measure-priors.ts [--bits 22,24] [--priors english,code,markup] [--dir build/packs/work/heldout]
//   npx tsx build/prior/measure-priors.ts --files a.c b.md ...   the same, on files named (each coded alone)
//
// english is the bundled resources/prior.bin. code and markup are primed here from build/packs/work/<id>.txt
// (assemble.py's output; else the committed build/prior/<id>.txt.br) at each table size of --bits, and kept in
// build/packs/work/priors/ so a second run does not prime again. Each held-out file is one stream, as a solid
// block of that kind would be. --verify decodes every stream again and compares it (twice the time; the codec's
// round trips are tested in test/codec/).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { decodeBytes, encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { parsePrior } from '../../electron/engine/coder/prior.ts';
import { tableBitsFor } from '../../electron/engine/coder/table-size.ts';
import { primePrior } from './build-prior.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORK = path.join(ROOT, 'build/packs/work');

interface Candidate {
  label: string;
  bytes: Uint8Array | null; // null: cold
  buildSeconds?: number;
}

function textOf(id: string): Uint8Array {
  const raw = path.join(WORK, `${id}.txt`);
  if (existsSync(raw)) return new Uint8Array(readFileSync(raw));
  return new Uint8Array(brotliDecompressSync(readFileSync(path.join(ROOT, `build/prior/${id}.txt.br`))));
}

function primedCandidate(id: string, bits: number): Candidate {
  if (id === 'english') {
    const bytes = new Uint8Array(readFileSync(path.join(ROOT, 'resources/prior.bin')));
    return { label: 'english (2^24)', bytes };
  }
  const text = textOf(id);
  const textSha = createHash('sha256').update(text).digest('hex');
  // The bundled prior, when it is this text at this size: the same bytes, not primed again.
  const manifestFile = path.join(ROOT, `resources/prior-${id}.json`);
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { file: string; tableBits: number; text: { sha256: string } };
    if (manifest.tableBits === bits && manifest.text.sha256 === textSha) {
      return { label: `${id} (2^${bits})`, bytes: new Uint8Array(readFileSync(path.join(ROOT, 'resources', manifest.file))) };
    }
  }
  const sha = textSha.slice(0, 8);
  const cache = path.join(WORK, 'priors', `${id}-${bits}-${sha}.bin`);
  if (existsSync(cache)) return { label: `${id} (2^${bits})`, bytes: new Uint8Array(readFileSync(cache)) };
  const started = Date.now();
  const bytes = primePrior(text, bits);
  const buildSeconds = (Date.now() - started) / 1000;
  mkdirSync(path.dirname(cache), { recursive: true });
  writeFileSync(`${cache}.tmp`, bytes);
  renameSync(`${cache}.tmp`, cache);
  console.error(`primed ${id} at 2^${bits} on ${text.length} bytes in ${buildSeconds.toFixed(1)} s -> ${bytes.length} bytes`);
  return { label: `${id} (2^${bits})`, bytes, buildSeconds };
}

/** Bits per byte of one stream, and its encode time; with verify, decodes it again to be sure. */
function measure(data: Uint8Array, candidate: Candidate, verify: boolean): { bpb: number; ms: number } {
  const options = () =>
    candidate.bytes
      ? { tableBits: parsePrior(candidate.bytes).tableBits, prior: parsePrior(candidate.bytes.slice()) }
      : { tableBits: tableBitsFor(data.length) };
  const encodeOptions = options();
  const started = performance.now();
  const coded = encodeBytes(data, undefined, encodeOptions);
  const ms = performance.now() - started;
  if (!verify) return { bpb: (coded.length * 8) / data.length, ms };
  const back = decodeBytes(coded, data.length, undefined, options());
  if (!Buffer.from(back).equals(Buffer.from(data))) throw new Error(`round trip failed with ${candidate.label}`);
  return { bpb: (coded.length * 8) / data.length, ms };
}

function main(): void {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1]! : fallback);
  const bits = value('--bits', '24').split(',').map(Number);
  const ids = value('--priors', 'english,code,markup').split(',');
  const filesAt = args.indexOf('--files');
  const files =
    filesAt >= 0
      ? args.slice(filesAt + 1)
      : readdirSync(value('--dir', path.join(WORK, 'heldout')))
          .sort()
          .map((f) => path.join(value('--dir', path.join(WORK, 'heldout')), f));

  const candidates: Candidate[] = [{ label: 'cold', bytes: null }];
  for (const id of ids) for (const b of id === 'english' ? [24] : bits) candidates.push(primedCandidate(id, b));

  console.log(`| text | bytes | ${candidates.map((c) => c.label).join(' | ')} |`);
  console.log(`|---|---:|${candidates.map(() => '---:').join('|')}|`);
  const totals = candidates.map(() => ({ bits: 0, ms: 0 }));
  let totalBytes = 0;
  for (const file of files) {
    const data = new Uint8Array(readFileSync(file));
    const results = candidates.map((c) => measure(data, c, args.includes('--verify')));
    results.forEach((r, i) => {
      totals[i]!.bits += r.bpb * data.length;
      totals[i]!.ms += r.ms;
    });
    totalBytes += data.length;
    const best = Math.min(...results.map((r) => r.bpb));
    const cells = results.map((r) => (r.bpb === best ? `**${r.bpb.toFixed(3)}**` : r.bpb.toFixed(3)));
    console.log(`| ${path.basename(file)} | ${data.length} | ${cells.join(' | ')} |`);
  }
  console.log(`| all | ${totalBytes} | ${totals.map((t) => (t.bits / totalBytes).toFixed(3)).join(' | ')} |`);
  console.log(`| encode KB/s | | ${totals.map((t) => (totalBytes / 1024 / (t.ms / 1000)).toFixed(1)).join(' | ')} |`);
  console.log(`| prior file (MB) | | ${candidates.map((c) => (c.bytes ? (c.bytes.length / 1e6).toFixed(1) : '-')).join(' | ')} |`);
}

main();
