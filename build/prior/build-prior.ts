// Builds resources/prior.bin, the context-mixing prior (electron/engine/coder/prior.ts), from the committed text
// build/prior/english.txt.br, and checks it against resources/prior.json. See build/prior/README.md.
//
//   npx tsx build/prior/build-prior.ts                    build unless resources/prior.bin already matches
//   npx tsx build/prior/build-prior.ts --update-manifest  record a new SHA-256 (after a change to the coder)
//   npx tsx build/prior/build-prior.ts --text FILE        replace the committed text with FILE, then build and
//                                                         record it (FILE: build/model/prior_text.py's output)
//
// `npm ci` runs the first form (the `prepare` script): about a minute, once. Priming is integer code, so every
// machine builds the same bytes; a different SHA-256 means the coder changed, and archives made with the old
// prior would no longer decode, so the build fails until the manifest is updated and the payload versions of
// the 'cm' and 'neural' codecs are bumped.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { serializePrior } from '../../electron/engine/coder/prior.ts';
import { MAX_TABLE_BITS } from '../../electron/engine/coder/table-size.ts';
import { WasmPredictor } from '../../electron/engine/coder/wasm-coder.ts';
import { PRIOR_MANIFEST, PriorManifestSchema, type PriorManifest } from '../../electron/engine/model/prior-store.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEXT_FILE = path.join(ROOT, 'build/prior/english.txt.br');
const RESOURCES = path.join(ROOT, 'resources');
const MANIFEST_FILE = path.join(RESOURCES, PRIOR_MANIFEST);

const SOURCES = [
  'Debian bible-kjv-text: the King James Bible (plain text via `bible`)',
  'Debian fortunes, fortune-anarchism, fortunes-bofh-excuses, fortunes-debian-hints',
  'Debian manuals rendered to plain text: debian-handbook (en-US), debian-reference-en, developers-reference, debian-history',
  'all of it the prose training stream of build/model (filtered against the benchmark corpus by check_overlap.py)',
];

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Runs a fresh predictor over text and returns what it learned, serialized. */
export function primePrior(text: Uint8Array, tableBits: number = MAX_TABLE_BITS): Uint8Array {
  const predictor = new WasmPredictor({ tableBits });
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

function readManifest(): PriorManifest | null {
  if (!existsSync(MANIFEST_FILE)) return null;
  return PriorManifestSchema.parse(JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')));
}

function main(): number {
  const args = process.argv.slice(2);
  const textArg = args.includes('--text') ? args[args.indexOf('--text') + 1] : undefined;
  const update = args.includes('--update-manifest') || textArg !== undefined;
  let manifest = readManifest();

  if (textArg) {
    const raw = readFileSync(textArg);
    writeAtomic(TEXT_FILE, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 } }));
    console.log(`build/prior/english.txt.br: ${raw.length} bytes of text`);
  }
  const text = new Uint8Array(brotliDecompressSync(readFileSync(TEXT_FILE)));
  const textSha = sha256(text);
  if (!update && manifest && manifest.text.sha256 !== textSha) {
    console.error(`build-prior: ${TEXT_FILE} (sha256 ${textSha}) is not the text ${MANIFEST_FILE} names; run with --update-manifest.`);
    return 1;
  }

  const out = path.join(RESOURCES, manifest?.file ?? 'prior.bin');
  if (!update && manifest && existsSync(out) && sha256(readFileSync(out)) === manifest.sha256) {
    console.log(`build-prior: ${path.relative(ROOT, out)} is up to date (${manifest.name}).`);
    return 0;
  }

  const started = Date.now();
  const prior = primePrior(text);
  const priorSha = sha256(prior);
  console.log(`build-prior: primed on ${text.length} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${prior.length} bytes, sha256 ${priorSha}`);
  if (!update) {
    if (!manifest) {
      console.error(`build-prior: ${MANIFEST_FILE} is missing; run with --update-manifest to create it.`);
      return 1;
    }
    if (priorSha !== manifest.sha256) {
      console.error(
        `build-prior: the prior built here (sha256 ${priorSha}) is not the one ${path.relative(ROOT, MANIFEST_FILE)} names ` +
          `(${manifest.sha256}). The coder's output changed: bump the 'cm' and 'neural' payload versions, then rerun ` +
          'with --update-manifest.',
      );
      return 1;
    }
  } else {
    manifest = {
      name: `octo-prior-en-${priorSha.slice(0, 8)}`,
      kind: 'cm-prior',
      file: 'prior.bin',
      sha256: priorSha,
      tableBits: MAX_TABLE_BITS,
      text: { file: 'build/prior/english.txt.br', sha256: textSha, bytes: text.length, sources: SOURCES },
    };
    writeAtomic(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`build-prior: wrote ${path.relative(ROOT, MANIFEST_FILE)} (${manifest.name})`);
  }
  writeAtomic(path.join(RESOURCES, manifest.file), prior);
  console.log(`build-prior: wrote ${path.relative(ROOT, path.join(RESOURCES, manifest.file))}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
