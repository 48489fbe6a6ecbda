// The contract of docs/MODEL.md: an independent TypeScript implementation of the network, reading the weights
// from model.onnx with our own protobuf reader, equals onnxruntime's logits exactly.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry, type BundledModel } from '../../electron/engine/model/manifest.ts';
import { NetworkSession } from '../../electron/engine/model/network-session.ts';
import { readOnnxGraph } from './onnx-initializers.ts';
import { loadReferenceWeights, PAD_SYMBOL, referenceLogits, type NetworkWeights } from './reference-network.ts';
import { randomContexts } from './random-contexts.ts';

let model: BundledModel;
let net: NetworkWeights;
let session: NetworkSession;

beforeAll(async () => {
  model = ModelRegistry.open().defaultModel();
  net = loadReferenceWeights(model.onnxPath, model.manifest);
  session = await NetworkSession.open(model, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await session?.close();
});

describe('reference network', () => {
  it('reads every weight tensor the manifest describes', () => {
    const arch = model.manifest.architecture;
    expect(net.embed.length).toBe(257 * arch.embed);
    expect(net.hidden.map((l) => l.outputs)).toEqual(arch.hidden);
    let parameters = net.embed.length + net.output.weights.length + net.output.bias.length;
    for (const l of net.hidden) parameters += l.weights.length + l.bias.length + l.lut.length;
    // The manifest counts parameters the same way the exporter does; the tensors we found must be all of them.
    expect(parameters).toBe(model.manifest.parameters);
    const graph = readOnnxGraph(readFileSync(model.onnxPath));
    expect(graph.initializers.size).toBeGreaterThan(0);
  });

  it('equals ORT logits exactly on random contexts, including pad symbols', async () => {
    const k = net.context;
    const rows = 300;
    const contexts = randomContexts(rows, k, 20261128);
    // Also the two extreme rows: all pad (the first byte of a chunk) and all 255.
    contexts.fill(PAD_SYMBOL, 0, k);
    contexts.fill(255, k, 2 * k);
    const expected = referenceLogits(net, contexts, rows);
    const actual = await session.scoreSymbols(contexts, rows);
    let firstDiff = -1;
    for (let i = 0; i < expected.length && firstDiff < 0; i++) if (expected[i] !== actual[i]) firstDiff = i;
    expect(firstDiff, firstDiff >= 0 ? `row ${Math.floor(firstDiff / 256)} symbol ${firstDiff % 256}` : '').toBe(-1);
    // A network whose logits are all equal would make this test vacuous.
    expect(new Set(actual.subarray(0, 256)).size).toBeGreaterThan(16);
  });
});
