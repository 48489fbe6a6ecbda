// The process count-instructions.ts counts under cachegrind: encodes FILE once with the compiled coder WASM (a
// table of 2^BITS slots, primed with PRIOR from the folder RESOURCES unless it is "none") and exits.
// count-instructions.ts bundles it into plain JavaScript first, so that no TypeScript loader runs beside the
// coding; the bundle lives elsewhere, so the resources folder comes as an argument.
//
//   node encode-once.mjs WASM PRIOR BITS FILE RESOURCES
import { readFileSync } from 'node:fs';
import { encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { isPriorId, priorStore } from '../../electron/engine/model/prior-store.ts';

const [wasm, priorId, bits, file, resources] = process.argv.slice(2);
if (!wasm || !priorId || !bits || !file || !resources) {
  console.error('usage: encode-once.mjs WASM PRIOR BITS FILE RESOURCES');
  process.exit(2);
}
const data = new Uint8Array(readFileSync(file));
const variant = new WebAssembly.Module(readFileSync(wasm));
const prior = isPriorId(priorId) ? priorStore(resources, priorId) : null;
encodeBytes(data, undefined, { variant, tableBits: Number(bits), loadPrior: prior ? (target) => prior.loadInto(target) : undefined });
