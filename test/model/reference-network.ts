// An independent TypeScript implementation of the octo-mlp network of docs/MODEL.md, in plain integer arithmetic.
// It reads the weights straight out of model.onnx (no onnxruntime) and exists to prove that ORT computes exactly
// the documented function; it is far too slow to code with.
import { readFileSync } from 'node:fs';
import type { ModelManifest } from '../../electron/engine/model/manifest.ts';
import { OnnxDataType, readOnnxGraph, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx-initializers.ts';

/**
 * The pad symbol: context positions before the start of a chunk (docs/MODEL.md). Restated here rather than imported
 * from the engine, so the oracle shares no code with what it checks.
 */
export const PAD_SYMBOL = 256;

export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** int8 weights in [-63, 63], row-major [inputs, outputs]. */
  weights: Int32Array;
  bias: Int32Array;
}

export interface HiddenLayer extends DenseLayer {
  shift: number;
  /** uint8 activation table of lutSize entries. */
  lut: Int32Array;
}

export interface NetworkWeights {
  context: number;
  embedWidth: number;
  /** uint8 [257, E]. */
  embed: Int32Array;
  hidden: HiddenLayer[];
  output: DenseLayer;
  lutSize: number;
}

function fail(why: string): never {
  throw new Error(`model.onnx does not have the octo-mlp structure of docs/MODEL.md: ${why}`);
}

/** Follows the documented chain of nodes from the `context` input and collects each layer's tensors. */
export function extractWeights(graph: OnnxGraph, manifest: ModelManifest): NetworkWeights {
  const arch = manifest.architecture;
  const consumers = new Map<string, OnnxNode[]>();
  const constants = new Map<string, OnnxTensor>(graph.initializers);
  for (const node of graph.nodes) {
    if (node.opType === 'Constant') {
      const value = node.tensorAttributes.get('value');
      if (value && node.outputs[0]) constants.set(node.outputs[0], value);
      continue;
    }
    for (const input of node.inputs) {
      if (!consumers.has(input)) consumers.set(input, []);
      consumers.get(input)!.push(node);
    }
  }
  const only = (name: string, opTypes: string[]): OnnxNode => {
    const users = consumers.get(name) ?? [];
    if (users.length !== 1) fail(`${name} should feed exactly one node, feeds ${users.length}`);
    const node = users[0]!;
    if (!opTypes.includes(node.opType)) fail(`${name} feeds ${node.opType}, expected ${opTypes.join(' or ')}`);
    return node;
  };
  const constant = (name: string | undefined, what: string): OnnxTensor => {
    const t = name === undefined || name === '' ? undefined : constants.get(name);
    if (!t) fail(`${what} (${name}) is not a constant`);
    return t;
  };
  const otherInput = (node: OnnxNode, from: string): string => {
    const other = node.inputs.find((i, k) => i !== from || node.inputs.indexOf(from) !== k);
    if (other === undefined) fail(`${node.opType} has no second input`);
    return other;
  };
  const scalar = (t: OnnxTensor): number => {
    if (t.values.length !== 1) fail(`${t.name} should be a scalar`);
    return t.values[0]!;
  };
  const checkZeroPoints = (node: OnnxNode): void => {
    for (const zp of node.inputs.slice(2)) if (zp && scalar(constant(zp, 'zero point')) !== 0) fail('non-zero zero point');
  };
  const dense = (node: OnnxNode, input: string, inputs: number): { layer: DenseLayer; out: string } => {
    if (node.inputs[0] !== input) fail('MatMulInteger takes activations as its first input');
    checkZeroPoints(node);
    const w = constant(node.inputs[1], 'weight');
    if (w.dataType !== OnnxDataType.INT8 || w.dims.length !== 2 || w.dims[0] !== inputs) {
      fail(`weight ${w.name} should be int8 [${inputs}, out], is type ${w.dataType} [${w.dims.join(', ')}]`);
    }
    const outputs = w.dims[1]!;
    for (const v of w.values) if (v < -63 || v > 63) fail(`weight ${w.name} holds ${v}, outside [-63, 63]`);
    const add = only(node.outputs[0]!, ['Add']);
    const b = constant(otherInput(add, node.outputs[0]!), 'bias');
    if (b.dataType !== OnnxDataType.INT32 || b.values.length !== outputs) fail(`bias ${b.name} should be int32 [${outputs}]`);
    return { layer: { inputs, outputs, weights: w.values as Int32Array, bias: b.values as Int32Array }, out: add.outputs[0]! };
  };

  const gather = only('context', ['Gather']);
  if (gather.inputs[1] !== 'context') fail('the embedding Gather takes context as its indices');
  const embed = constant(gather.inputs[0], 'embedding');
  if (embed.dataType !== OnnxDataType.UINT8 || embed.dims[0] !== 257 || embed.dims[1] !== arch.embed) {
    fail(`embedding should be uint8 [257, ${arch.embed}], is [${embed.dims.join(', ')}]`);
  }
  let x = only(gather.outputs[0]!, ['Reshape', 'Flatten']).outputs[0]!;
  let width = arch.context * arch.embed;
  const hidden: HiddenLayer[] = [];
  for (let l = 0; l < arch.hidden.length; l++) {
    const { layer, out } = dense(only(x, ['MatMulInteger']), x, width);
    if (layer.outputs !== arch.hidden[l]) fail(`hidden layer ${l + 1} has ${layer.outputs} units, manifest says ${arch.hidden[l]}`);
    const div = only(out, ['Div']);
    if (scalar(constant(div.inputs[1], 'divisor')) !== 2 ** arch.shifts[l]!) fail(`layer ${l + 1} divisor is not 2^${arch.shifts[l]}`);
    const centre = only(div.outputs[0]!, ['Add']);
    if (scalar(constant(otherInput(centre, div.outputs[0]!), 'table centre')) !== arch.lutSize / 2) fail('table centre is not lutSize/2');
    const clip = only(centre.outputs[0]!, ['Clip']);
    if (scalar(constant(clip.inputs[1], 'clip min')) !== 0 || scalar(constant(clip.inputs[2], 'clip max')) !== arch.lutSize - 1) {
      fail('clip bounds are not [0, lutSize - 1]');
    }
    const lookup = only(clip.outputs[0]!, ['Gather']);
    if (lookup.inputs[1] !== clip.outputs[0]) fail('the activation Gather takes the clipped index as its indices');
    const lut = constant(lookup.inputs[0], 'activation table');
    if (lut.dataType !== OnnxDataType.UINT8 || lut.values.length !== arch.lutSize) fail(`table ${lut.name} should be uint8 [${arch.lutSize}]`);
    hidden.push({ ...layer, shift: arch.shifts[l]!, lut: lut.values as Int32Array });
    x = lookup.outputs[0]!;
    width = layer.outputs;
  }
  const { layer: output, out } = dense(only(x, ['MatMulInteger']), x, width);
  if (output.outputs !== 256) fail('the output layer should have 256 logits');
  if (out !== 'logits') fail(`the output bias Add should produce logits, produces ${out}`);
  return { context: arch.context, embedWidth: arch.embed, embed: embed.values as Int32Array, hidden, output, lutSize: arch.lutSize };
}

export function loadReferenceWeights(onnxPath: string, manifest: ModelManifest): NetworkWeights {
  return extractWeights(readOnnxGraph(readFileSync(onnxPath)), manifest);
}

function denseForward(layer: DenseLayer, x: Int32Array, acc: Int32Array): void {
  const { inputs, outputs, weights } = layer;
  acc.set(layer.bias);
  for (let i = 0; i < inputs; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * outputs;
    for (let j = 0; j < outputs; j++) acc[j] += xi * weights[row + j]!;
  }
}

/** Logits for `rows` contexts of K symbols (0..256) each, row-major; returns rows x 256 int32. */
export function referenceLogits(net: NetworkWeights, contexts: ArrayLike<number>, rows: number): Int32Array {
  const k = net.context;
  const e = net.embedWidth;
  const out = new Int32Array(rows * 256);
  for (let r = 0; r < rows; r++) {
    let x = new Int32Array(k * e);
    for (let p = 0; p < k; p++) {
      const symbol = contexts[r * k + p]!;
      x.set(net.embed.subarray(symbol * e, symbol * e + e), p * e);
    }
    for (const layer of net.hidden) {
      const acc = new Int32Array(layer.outputs);
      denseForward(layer, x, acc);
      const next = new Int32Array(layer.outputs);
      const half = net.lutSize / 2;
      for (let j = 0; j < layer.outputs; j++) {
        const a = acc[j]!;
        // Div truncates toward zero, as ONNX integer Div does; an arithmetic shift alone would floor.
        const q = a >= 0 ? a >> layer.shift : -(-a >> layer.shift);
        const idx = Math.min(Math.max(q + half, 0), net.lutSize - 1);
        next[j] = layer.lut[idx]!;
      }
      x = next;
    }
    denseForward(net.output, x, out.subarray(r * 256, r * 256 + 256));
  }
  return out;
}
