// Builds the context-mixing priors (electron/engine/coder/prior.ts), each from its committed text
// build/prior/<id>.txt.br, and checks each against its manifest in resources/ (model/prior-store.ts names them:
// english -> prior.json + prior.bin, code -> prior-code.json + prior-code.bin, markup -> prior-markup.*).
// See build/prior/README.md.
//
//   npx tsx build/prior/build-prior.ts                    build every prior whose file does not already match
//   npx tsx build/prior/build-prior.ts --prior code       just one (english, code, markup)
//   npx tsx build/prior/build-prior.ts --update-manifest  record new SHA-256s (after a change to the coder)
//   npx tsx build/prior/build-prior.ts --prior ID --text FILE [--table-bits N]
//                                                         replace ID's committed text with FILE, then build and
//                                                         record it (english: build/model/prior_text.py's output;
//                                                         code, markup: build/packs/assemble.py's)
//
// `npm ci` runs the first form (the `prepare` script): a few minutes, once. Priming is integer code, so every
// machine builds the same bytes; a different SHA-256 means the coder changed, and archives made with the old
// prior would no longer decode, so the build fails until the manifest is updated and the payload versions of
// the 'cm' and 'neural' codecs are bumped.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { serializePrior } from '../../electron/engine/coder/prior.ts';
import { MAX_TABLE_BITS } from '../../electron/engine/coder/table-size.ts';
import { PRIOR_REVISION, WasmPredictor } from '../../electron/engine/coder/wasm-coder.ts';
import {
  isPriorId,
  PRIOR_IDS,
  priorManifestFile,
  PriorManifestSchema,
  type PriorId,
  type PriorManifest,
} from '../../electron/engine/model/prior-store.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESOURCES = path.join(ROOT, 'resources');
const PACKAGES_FILE = path.join(ROOT, 'build/packs/packages.json');

/** Names in archives: the english prior's prefix predates packs and stays. */
const NAME_PREFIX: Record<PriorId, string> = { english: 'octo-prior-en', code: 'octo-prior-code', markup: 'octo-prior-markup' };

const ENGLISH_SOURCES = [
  'Debian bible-kjv-text: the King James Bible (plain text via `bible`)',
  'Debian fortunes, fortune-anarchism, fortunes-bofh-excuses, fortunes-debian-hints',
  'Debian manuals rendered to plain text: debian-handbook (en-US), debian-reference-en, developers-reference, debian-history',
  'all of it the prose training stream of build/model (filtered against the benchmark corpus by check_overlap.py)',
];

/** The train packages of build/packs/packages.json that feed a text, with their versions and licences. */
function packSources(id: PriorId): string[] {
  const manifest = JSON.parse(readFileSync(PACKAGES_FILE, 'utf8')) as {
    packages: { source: string; name: string; version: string; split: string; licence?: string; rules: { text: string }[] }[];
  };
  return manifest.packages
    .filter((p) => p.split === 'train' && p.rules.some((r) => r.text === id))
    .map((p) => `${p.source === 'npm' ? 'npm' : 'Debian'} ${p.name}@${p.version} (${p.licence ?? 'licence not recorded'})`)
    .concat('assembled by build/packs/assemble.py: files naming curl, sqlite or redis, and any overlapping Canterbury or the curl tree (check_overlap.py), left out');
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Runs a fresh predictor over text and returns what it learned, serialized. Priors are learned with
 * PRIOR_REVISION, whatever revision later streams code with (wasm-coder.ts says why).
 */
export function primePrior(text: Uint8Array, tableBits: number = MAX_TABLE_BITS): Uint8Array {
  const predictor = new WasmPredictor({ tableBits, revision: PRIOR_REVISION });
  try {
    predictor.prime(text);
    return serializePrior(predictor.learnedState(tableBits));
  } finally {
    predictor.release();
  }
}

function writeAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

function readManifest(file: string): PriorManifest | null {
  if (!existsSync(file)) return null;
  return PriorManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

interface BuildRequest {
  id: PriorId;
  update: boolean;
  textArg?: string;
  tableBits?: number;
}

/** Builds one prior, checks it (or records it with update); 0 on success. */
function buildOne({ id, update, textArg, tableBits }: BuildRequest): number {
  const textFile = path.join(ROOT, `build/prior/${id}.txt.br`);
  const manifestFile = path.join(RESOURCES, priorManifestFile(id));
  const rel = (file: string) => path.relative(ROOT, file);
  let manifest = readManifest(manifestFile);

  if (textArg) {
    const raw = readFileSync(textArg);
    writeAtomic(textFile, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 } }));
    console.log(`build-prior: ${rel(textFile)}: ${raw.length} bytes of text`);
  }
  if (!existsSync(textFile)) {
    console.error(`build-prior: ${rel(textFile)} is missing; the ${id} prior cannot be built.`);
    return 1;
  }
  const text = new Uint8Array(brotliDecompressSync(readFileSync(textFile)));
  const textSha = sha256(text);
  if (!update && manifest && manifest.text.sha256 !== textSha) {
    console.error(`build-prior: ${rel(textFile)} (sha256 ${textSha}) is not the text ${rel(manifestFile)} names; run with --update-manifest.`);
    return 1;
  }

  const out = path.join(RESOURCES, manifest?.file ?? (id === 'english' ? 'prior.bin' : `prior-${id}.bin`));
  if (!update && manifest && existsSync(out) && sha256(readFileSync(out)) === manifest.sha256) {
    console.log(`build-prior: ${rel(out)} is up to date (${manifest.name}).`);
    return 0;
  }

  const bits = tableBits ?? manifest?.tableBits ?? MAX_TABLE_BITS;
  const started = Date.now();
  const prior = primePrior(text, bits);
  const priorSha = sha256(prior);
  console.log(
    `build-prior: ${id}: primed on ${text.length} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s -> ` +
      `${prior.length} bytes (table 2^${bits}), sha256 ${priorSha}`,
  );
  if (!update) {
    if (!manifest) {
      console.error(`build-prior: ${rel(manifestFile)} is missing; run with --update-manifest to create it.`);
      return 1;
    }
    if (priorSha !== manifest.sha256) {
      console.error(
        `build-prior: the ${id} prior built here (sha256 ${priorSha}) is not the one ${rel(manifestFile)} names ` +
          `(${manifest.sha256}). The coder's output changed: bump the 'cm' and 'neural' payload versions, then rerun ` +
          'with --update-manifest.',
      );
      return 1;
    }
  } else {
    manifest = {
      name: `${NAME_PREFIX[id]}-${priorSha.slice(0, 8)}`,
      kind: 'cm-prior',
      file: path.basename(out),
      sha256: priorSha,
      tableBits: bits,
      text: { file: rel(textFile), sha256: textSha, bytes: text.length, sources: id === 'english' ? ENGLISH_SOURCES : packSources(id) },
    };
    writeAtomic(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`build-prior: wrote ${rel(manifestFile)} (${manifest.name})`);
  }
  writeAtomic(out, prior);
  console.log(`build-prior: wrote ${rel(out)}`);
  return 0;
}

/** Builds the prior --prior names; null when none is named (then buildAll builds each). */
function main(): number | null {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const only = value('--prior');
  const textArg = value('--text');
  const bitsArg = value('--table-bits');
  if (only !== undefined && !isPriorId(only)) {
    console.error(`build-prior: --prior must be one of ${PRIOR_IDS.join(', ')}, not ${only}`);
    return 2;
  }
  if (textArg !== undefined && only === undefined) {
    console.error('build-prior: --text needs --prior (which prior the text is for)');
    return 2;
  }
  const tableBits = bitsArg === undefined ? undefined : Number(bitsArg);
  if (tableBits !== undefined && !(Number.isInteger(tableBits) && tableBits >= 16 && tableBits <= MAX_TABLE_BITS)) {
    console.error(`build-prior: --table-bits must be an integer from 16 to ${MAX_TABLE_BITS}`);
    return 2;
  }
  const update = args.includes('--update-manifest') || textArg !== undefined || tableBits !== undefined;
  if (only) return buildOne({ id: only, update, textArg, tableBits });
  return null;
}

/**
 * Every prior at once, one child process each: priming is single-threaded, and `npm ci` waits for all three
 * (measured here: 3m14s one after another, 1m58s of CPU).
 */
async function buildAll(update: boolean): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  const codes = await Promise.all(
    PRIOR_IDS.map(
      (id) =>
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, [...process.execArgv, script, '--prior', id, ...(update ? ['--update-manifest'] : [])], {
            stdio: 'inherit',
          });
          child.on('error', () => resolve(1));
          child.on('exit', (code) => resolve(code ?? 1));
        }),
    ),
  );
  return codes.every((code) => code === 0) ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = main();
  if (code !== null) process.exitCode = code;
  else void buildAll(process.argv.includes('--update-manifest')).then((all) => (process.exitCode = all));
}
