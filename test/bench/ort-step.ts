// Per-call cost of the bundled network in onnxruntime-node, by batch size and intra-op threads: what one decode
// step costs, and why decoding runs many lanes per call. `npx tsx test/bench/ort-step.ts`
import os from 'node:os';
import { ModelRegistry } from '../../electron/engine/model/manifest.ts';
import { NetworkSession } from '../../electron/engine/model/network-session.ts';
import { randomContexts } from '../model/random-contexts.ts';

async function main(): Promise<void> {
  const model = ModelRegistry.open().defaultModel();
  console.log(`${model.manifest.name}, ${os.cpus()[0]?.model}, load average ${os.loadavg()[0]!.toFixed(2)}`);
  console.log('| threads | batch | us per call | us per row |');
  console.log('|---:|---:|---:|---:|');
  for (const threads of [1, 2]) {
    const session = await NetworkSession.open(model, { intraOpNumThreads: threads });
    for (const batch of [1, 2, 4, 8, 16, 32, 64, 4096]) {
      const { int64, words } = NetworkSession.allocateContexts(batch, session.context);
      const symbols = randomContexts(batch, session.context, batch);
      for (let i = 0; i < symbols.length; i++) words[2 * i] = symbols[i]!;
      const calls = Math.max(5, Math.floor(20_000 / batch));
      for (let i = 0; i < 5; i++) await session.score(int64, batch);
      const samples: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        const started = performance.now();
        for (let i = 0; i < calls; i++) await session.score(int64, batch);
        samples.push(((performance.now() - started) * 1000) / calls);
      }
      const perCall = samples.sort((a, b) => a - b)[1]!;
      console.log(`| ${threads} | ${batch} | ${perCall.toFixed(1)} | ${(perCall / batch).toFixed(2)} |`);
    }
    await session.close();
  }
}

await main();
