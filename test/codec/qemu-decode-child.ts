// Run under `qemu-x86_64 -cpu Haswell-noTSX node --import tsx` by neural-qemu.test.ts: decodes a payload made
// natively (by the 'neural' or the 'cm' codec, primed from the bundled prior) and writes the bytes out, so the
// test can compare them.
import { readFileSync, writeFileSync } from 'node:fs';
import { createContextMixingCodec } from '../../electron/engine/codecs/context-mixing.ts';
import type { Codec } from '../../electron/engine/codecs/codec.ts';
import { createNeuralCodec } from '../../electron/engine/codecs/neural.ts';

const [payloadPath, rawSizeText, outPath, codecId = 'neural'] = process.argv.slice(2);
const codec: Codec = codecId === 'cm' ? createContextMixingCodec() : await createNeuralCodec({ workers: 0 });
try {
  const started = performance.now();
  const [raw] = await codec.decodeBatch([{ payload: new Uint8Array(readFileSync(payloadPath!)), rawSize: Number(rawSizeText) }]);
  writeFileSync(outPath!, raw!);
  process.stdout.write(`decoded ${raw!.length} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
} finally {
  await codec.close?.();
}
