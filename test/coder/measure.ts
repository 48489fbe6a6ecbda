// Dev measurement of the adaptive stage alone (no network): bits per byte and speed on the Canterbury corpus.
// Usage: npx tsx test/coder/measure.ts [corpusDir] [file ...]   (runs on one core; decodes to verify)
// Speeds are bytes per second of this process's CPU time (user + system), so other jobs sharing the machine
// inflate them less than wall-clock time would; each includes building the predictor.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBytes, encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { CORPUS_DIR } from '../helpers/corpus.ts';

const dir = process.argv[2] ?? CORPUS_DIR;
const only = process.argv.slice(3);
const files = (only.length > 0 ? only : readdirSync(dir).sort());

function seconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

let rawTotal = 0;
let packedTotal = 0;
let encSeconds = 0;
let decSeconds = 0;
const rows: string[] = [];
rows.push('| file | bytes | packed | bpb | encode KB/s | decode KB/s |');
rows.push('|---|---:|---:|---:|---:|---:|');
for (const name of files) {
  const data = new Uint8Array(readFileSync(join(dir, name)));
  let t = process.cpuUsage();
  const packed = encodeBytes(data);
  const enc = seconds(process.cpuUsage(t));
  t = process.cpuUsage();
  const back = decodeBytes(packed, data.length);
  const dec = seconds(process.cpuUsage(t));
  if (Buffer.compare(Buffer.from(back), Buffer.from(data)) !== 0) throw new Error(`${name}: round trip failed`);
  rawTotal += data.length;
  packedTotal += packed.length;
  encSeconds += enc;
  decSeconds += dec;
  const row = `| ${name} | ${data.length} | ${packed.length} | ${((packed.length * 8) / data.length).toFixed(3)} | ${(data.length / 1000 / enc).toFixed(0)} | ${(data.length / 1000 / dec).toFixed(0)} |`;
  rows.push(row);
  console.error(row);
}
rows.push(`| total | ${rawTotal} | ${packedTotal} | ${((packedTotal * 8) / rawTotal).toFixed(3)} | ${(rawTotal / 1000 / encSeconds).toFixed(0)} | ${(rawTotal / 1000 / decSeconds).toFixed(0)} |`);
console.log(rows.join('\n'));
