// Run under `qemu-x86_64 -cpu Haswell-noTSX node --import tsx` by neural-qemu.test.ts: decodes a neural payload
// made natively and writes the bytes out, so the test can compare them. Also prints which CPU ORT runs on.
import { readFileSync, writeFileSync } from 'node:fs';
import { createNeuralCodec } from '../../electron/engine/codecs/neural.ts';

const [payloadPath, rawSizeText, outPath] = process.argv.slice(2);
const codec = await createNeuralCodec({ workers: 0 });
try {
  const started = performance.now();
  const [raw] = await codec.decodeBatch([{ payload: new Uint8Array(readFileSync(payloadPath!)), rawSize: Number(rawSizeText) }]);
  writeFileSync(outPath!, raw!);
  process.stdout.write(`decoded ${raw!.length} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
} finally {
  await codec.close();
}
