// Bundled by aarch64-decode.test.ts and run by an arm64 Node.js under qemu-aarch64: decodes a 'cm' payload made
// natively (primed from the bundled prior, or cold) and a bare stream coded with network frequencies, and
// writes the bytes out for the test to compare.
import { readFileSync, writeFileSync } from 'node:fs';
import { createContextMixingCodec } from '../../electron/engine/codecs/context-mixing.ts';
import { decodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import { order1Frequencies } from '../coder/fake-network.ts';

const [kind, payloadPath, rawSizeText, outPath] = process.argv.slice(2);
const payload = new Uint8Array(readFileSync(payloadPath!));
const rawSize = Number(rawSizeText);
const started = performance.now();
let raw: Uint8Array;
if (kind === 'network') raw = decodeBytes(payload, rawSize, order1Frequencies, { tableBits: 16 });
else [raw] = (await createContextMixingCodec().decodeBatch([{ payload, rawSize }])) as [Uint8Array];
writeFileSync(outPath!, raw);
process.stdout.write(`${process.arch}: decoded ${raw.length} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
