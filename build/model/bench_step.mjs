// Cost of one decode step (one ORT call on N contexts) for candidate model files, as a decoder pays it.
//   node build/model/bench_step.mjs model_a.onnx [model_b.onnx ...]
// Prints microseconds per call and per byte at batch 1, 2, 4, 8 with one intra-op thread (the decoder's
// setting on a 2-core machine). Fastest of 40 rounds of 200 calls, since the machine is shared and a median measures the neighbours.
import ort from 'onnxruntime-node';

const batches = [1, 2, 4, 8];
const rounds = 40;
const callsPerRound = 200;

console.log('| model | K | batch 1 us/call | batch 2 | batch 4 | batch 8 | us/byte at batch 4 |');
console.log('|---|---|---|---|---|---|---|');
for (const path of process.argv.slice(2)) {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const k = Number(session.inputMetadata?.[0]?.shape?.[1] ?? 16);
  const perCall = [];
  for (const n of batches) {
    const ctx = new BigInt64Array(n * k);
    for (let i = 0; i < ctx.length; i++) ctx[i] = BigInt((i * 37) % 257);
    const input = new ort.Tensor('int64', ctx, [n, k]);
    for (let i = 0; i < 200; i++) await session.run({ context: input });
    const times = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < callsPerRound; i++) await session.run({ context: input });
      times.push(Number(process.hrtime.bigint() - t0) / 1000 / callsPerRound);
    }
    times.sort((a, b) => a - b);
    perCall.push(times[0]); // fastest round: the least disturbed by other processes
  }
  const cells = perCall.map((t) => t.toFixed(1));
  console.log(`| ${path} | ${k} | ${cells.join(' | ')} | ${(perCall[2] / 4).toFixed(2)} |`);
  await session.release();
}
