// Dev measurement of the 'cm' codec's chunk functions on one file: encode and decode KB/s, cold and primed.
// Usage: npx tsx test/coder/speed.ts [file]   (default: the corpus's lcet10.txt). Speeds are bytes per second of
// this process's CPU time (user + system), so other jobs on the machine distort them less than wall time;
// each includes building the predictor (and, primed, copying the prior).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeContextMixingChunk, encodeContextMixingChunk } from '../../electron/engine/codecs/context-mixing.ts';
import { priorStore } from '../../electron/engine/model/prior-store.ts';
import { CORPUS_DIR } from '../helpers/corpus.ts';

const file = process.argv[2] ?? join(CORPUS_DIR, 'lcet10.txt');
const data = new Uint8Array(readFileSync(file));

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

for (const [label, store] of [['cold', null], ['primed', priorStore()]] as const) {
  let t = process.cpuUsage();
  const payload = encodeContextMixingChunk(data, store);
  const enc = cpuSeconds(t);
  t = process.cpuUsage();
  const back = decodeContextMixingChunk(payload, data.length, store);
  const dec = cpuSeconds(t);
  if (Buffer.compare(Buffer.from(back), Buffer.from(data)) !== 0) throw new Error(`${label}: round trip failed`);
  const kbs = (s: number) => (data.length / 1000 / s).toFixed(1);
  console.log(`${label}: ${data.length} -> ${payload.length} bytes (${((payload.length * 8) / data.length).toFixed(4)} bpb), encode ${kbs(enc)} KB/s, decode ${kbs(dec)} KB/s`);
}
