// Dev A/B of model changes. A variant is a copy of electron/engine/coder/assembly with a change in it: this
// compiles each one as scripts/build-wasm.mjs compiles the shipped folder, codes every file as one stream (as a
// solid block of one kind would be), and prints the coded bytes. With --reps N it also times encoding and
// decoding, with the variants taking turns in one process, and prints the median and best of N. This machine's
// speed drifts from minute to minute, so variants timed in separate runs cannot be compared.
//
//   cp -r electron/engine/coder/assembly /tmp/v1        then edit /tmp/v1
//   npx tsx test/coder/compare-variants.ts [--prior english|code|markup|none] [--revision 4] [--reps N] \
//       shipped /tmp/v1 -- FILE...
//
// A folder written FOLDER@BITS codes with a table of 2^BITS slots instead of the codec's choice, and FOLDER#N
// (before any @BITS) with model revision N instead of --revision's: `shipped#3 shipped#10` times what the model
// revisions cost, alternating in one process.
//
// "shipped" is the repository's own folder. Measure ratio on text of your own: build/packs/work/heldout (made
// by build/packs/assemble.py) or any source that is in no prior's text. Never measure on ../shared/corpus,
// because choices fitted to the benchmark do worse on everything else. Cold streams get the table size the
// codec would give them; primed streams get the prior's size. Anything kept that changes what the model
// predicts becomes a new model revision (docs/FORMAT.md, the cm codec).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeBytes, encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { tableBitsFor } from '../../electron/engine/coder/table-size.ts';
import { isModelRevision, LATEST_REVISION, type ModelRevision, type PredictorOptions } from '../../electron/engine/coder/wasm-coder.ts';
import { isPriorId, priorStore } from '../../electron/engine/model/prior-store.ts';
import { compileCoder } from '../../scripts/build-wasm.mjs';

const SHIPPED = fileURLToPath(new URL('../../electron/engine/coder/assembly', import.meta.url));

const { values, positionals, tokens } = parseArgs({
  allowPositionals: true,
  tokens: true,
  options: { prior: { type: 'string', default: 'none' }, revision: { type: 'string' }, reps: { type: 'string', default: '0' } },
});
// Folders come before the "--", files after it.
const split = tokens.find((t) => t.kind === 'option-terminator')?.index;
const folders = split === undefined ? [] : tokens.flatMap((t) => (t.kind === 'positional' && t.index < split ? [t.value] : []));
const files = split === undefined ? [] : positionals.slice(folders.length);
const revisionArg = Number(values.revision ?? LATEST_REVISION);
const reps = Number(values.reps);
if (folders.length === 0 || files.length === 0 || !isModelRevision(revisionArg) || !(reps >= 0) || (values.prior !== 'none' && !isPriorId(values.prior))) {
  console.error('usage: compare-variants.ts [--prior english|code|markup|none] [--revision N] [--reps N] FOLDER... -- FILE...');
  process.exit(2);
}
const revision: ModelRevision = revisionArg;

const priorId = values.prior;
const store = priorId !== 'none' && isPriorId(priorId) ? priorStore(undefined, priorId) : null;
function options(variant: WebAssembly.Module, bytes: number, tableBits: number | undefined, revision: ModelRevision): PredictorOptions {
  if (!store) return { variant, revision, tableBits: tableBits ?? tableBitsFor(bytes) };
  return { variant, revision, tableBits: tableBits ?? store.manifest.tableBits, loadPrior: (target) => store.loadInto(target) };
}

/** FOLDER[#REVISION][@BITS]. */
function parseVariant(spec: string): { folder: string; revision: ModelRevision; tableBits: number | undefined } {
  const [, folder, rev, bits] = /^(.+?)(?:#(\d+))?(?:@(\d+))?$/.exec(spec) ?? [];
  const n = rev === undefined ? revision : Number(rev);
  if (!folder || !isModelRevision(n)) {
    console.error(`bad variant "${spec}": FOLDER[#REVISION][@BITS] with a model revision the codec knows (latest ${LATEST_REVISION})`);
    process.exit(2);
  }
  return { folder, revision: n, tableBits: bits === undefined ? undefined : Number(bits) };
}

const inputs = files.map((file) => ({ name: path.basename(file), data: new Uint8Array(readFileSync(file)) }));
const rawTotal = inputs.reduce((sum, f) => sum + f.data.length, 0);
const variants = await Promise.all(
  folders.map(async (spec) => {
    const { folder, revision, tableBits } = parseVariant(spec);
    return {
    label: spec,
    revision,
    tableBits,
    module: new WebAssembly.Module(await compileCoder(folder === 'shipped' ? SHIPPED : path.resolve(folder))),
    coded: [] as Uint8Array[],
    encodeMs: [] as number[],
    decodeMs: [] as number[],
    exact: true,
    };
  }),
);

for (const v of variants) v.coded = inputs.map((f) => encodeBytes(f.data, undefined, options(v.module, f.data.length, v.tableBits, v.revision)));
for (let r = 0; r < reps; r++) {
  for (const v of variants) {
    let t = performance.now();
    const coded = inputs.map((f) => encodeBytes(f.data, undefined, options(v.module, f.data.length, v.tableBits, v.revision)));
    v.encodeMs.push(performance.now() - t);
    t = performance.now();
    const decoded = inputs.map((f, i) => decodeBytes(coded[i]!, f.data.length, undefined, options(v.module, f.data.length, v.tableBits, v.revision)));
    v.decodeMs.push(performance.now() - t);
    if (decoded.some((d, i) => Buffer.compare(d, inputs[i]!.data) !== 0)) v.exact = false;
  }
}

const median = (ms: number[]): number => [...ms].sort((a, b) => a - b)[ms.length >> 1]!;
const kbps = (ms: number): string => `${(rawTotal / ms).toFixed(0)} KB/s`;
console.log(`${inputs.length} files, ${rawTotal} bytes; prior ${values.prior}; revision ${revision}`);
for (const v of variants) {
  const total = v.coded.reduce((sum, c) => sum + c.length, 0);
  const perFile = v.coded.map((c, i) => `${inputs[i]!.name} ${c.length}`).join(', ');
  let line = `${v.label}: ${total} bytes (${((8 * total) / rawTotal).toFixed(4)} bpb; ${perFile})`;
  if (reps > 0) {
    line += `; encode ${kbps(median(v.encodeMs))} (best ${kbps(Math.min(...v.encodeMs))}), decode ${kbps(median(v.decodeMs))} (best ${kbps(Math.min(...v.decodeMs))})`;
    line += v.exact ? '; decodes exactly' : '; DECODES WRONG';
  }
  console.log(line);
}
