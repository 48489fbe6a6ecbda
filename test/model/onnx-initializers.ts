// A minimal protobuf reader for model.onnx: just enough of ModelProto to get the graph's nodes and its initializer
// tensors, so the reference network can read the weights without going through onnxruntime.
// Field numbers are from onnx/onnx.proto (ModelProto.graph = 7; GraphProto.node = 1, initializer = 5;
// NodeProto.input = 1, output = 2, op_type = 4, attribute = 5; AttributeProto.name = 1, i = 3, t = 5;
// TensorProto.dims = 1, data_type = 2, int32_data = 5, int64_data = 7, name = 8, raw_data = 9, data_location = 14).

/** TensorProto.DataType values we understand. */
export const OnnxDataType = { UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Values widened to numbers (int64 values must fit in a double; ours are shapes and small constants). */
  values: Int32Array | Float64Array;
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Tensor-valued attributes (the `value` of a Constant node). */
  tensorAttributes: Map<string, OnnxTensor>;
  intAttributes: Map<string, number>;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
}

class ProtoReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }

  /** A varint used as a length or small count. */
  size(): number {
    const v = this.varint();
    if (v > BigInt(this.end - this.pos) && v > 0xffffffffn) throw new Error('length out of range');
    return Number(v);
  }

  /** A signed 64-bit varint as a double. */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  bytesField(): Uint8Array {
    const len = this.size();
    if (this.pos + len > this.end) throw new Error('truncated length-delimited field');
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  sub(): ProtoReader {
    const len = this.size();
    if (this.pos + len > this.end) throw new Error('truncated message');
    const r = new ProtoReader(this.bytes, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2: {
        // Read the length first: `this.pos += this.size()` would add it to the position from before the varint.
        const len = this.size();
        this.pos += len;
        return;
      }
      case 5:
        this.pos += 4;
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }

  /** Reads a field that may be packed (wire type 2) or a single varint (wire type 0). */
  repeatedInt64(wireType: number, into: number[]): void {
    if (wireType === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.int64());
    } else {
      into.push(this.int64());
    }
  }
}

const utf8 = new TextDecoder();

function readTensor(r: ProtoReader): OnnxTensor {
  const dims: number[] = [];
  const int32Data: number[] = [];
  const int64Data: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | null = null;
  let external = false;
  while (!r.done) {
    const key = Number(r.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1) r.repeatedInt64(wire, dims);
    else if (field === 2 && wire === 0) dataType = Number(r.varint());
    else if (field === 5) r.repeatedInt64(wire, int32Data);
    else if (field === 7) r.repeatedInt64(wire, int64Data);
    else if (field === 8 && wire === 2) name = utf8.decode(r.bytesField());
    else if (field === 9 && wire === 2) raw = r.bytesField();
    else if (field === 14 && wire === 0) external = Number(r.varint()) === 1;
    else r.skip(wire);
  }
  if (external) throw new Error(`tensor ${name} keeps its data outside the model file, which is not supported`);
  const count = dims.reduce((a, b) => a * b, 1);
  let values: Int32Array | Float64Array;
  switch (dataType) {
    case OnnxDataType.UINT8:
    case OnnxDataType.INT8: {
      const signed = dataType === OnnxDataType.INT8;
      values = new Int32Array(count);
      if (raw) {
        if (raw.length !== count) throw new Error(`tensor ${name}: ${raw.length} bytes for ${count} values`);
        for (let i = 0; i < count; i++) values[i] = signed ? (raw[i]! << 24) >> 24 : raw[i]!;
      } else {
        if (int32Data.length !== count) throw new Error(`tensor ${name}: ${int32Data.length} values for ${count}`);
        for (let i = 0; i < count; i++) values[i] = signed ? (int32Data[i]! << 24) >> 24 : int32Data[i]! & 0xff;
      }
      break;
    }
    case OnnxDataType.INT32: {
      values = new Int32Array(count);
      if (raw) {
        if (raw.length !== count * 4) throw new Error(`tensor ${name}: ${raw.length} bytes for ${count} int32 values`);
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        for (let i = 0; i < count; i++) values[i] = view.getInt32(i * 4, true);
      } else {
        if (int32Data.length !== count) throw new Error(`tensor ${name}: ${int32Data.length} values for ${count}`);
        values.set(int32Data);
      }
      break;
    }
    case OnnxDataType.INT64: {
      values = new Float64Array(count);
      if (raw) {
        if (raw.length !== count * 8) throw new Error(`tensor ${name}: ${raw.length} bytes for ${count} int64 values`);
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        for (let i = 0; i < count; i++) values[i] = Number(view.getBigInt64(i * 8, true));
      } else {
        if (int64Data.length !== count) throw new Error(`tensor ${name}: ${int64Data.length} values for ${count}`);
        values.set(int64Data);
      }
      break;
    }
    default:
      // Tensors of other types (there should be none in an integer network) are kept without values.
      values = new Int32Array(0);
  }
  return { name, dims, dataType, values };
}

function readNode(r: ProtoReader): OnnxNode {
  const node: OnnxNode = { opType: '', inputs: [], outputs: [], tensorAttributes: new Map(), intAttributes: new Map() };
  while (!r.done) {
    const key = Number(r.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === 2) node.inputs.push(utf8.decode(r.bytesField()));
    else if (field === 2 && wire === 2) node.outputs.push(utf8.decode(r.bytesField()));
    else if (field === 4 && wire === 2) node.opType = utf8.decode(r.bytesField());
    else if (field === 5 && wire === 2) {
      const a = r.sub();
      let name = '';
      let tensor: OnnxTensor | null = null;
      let int: number | null = null;
      while (!a.done) {
        const k = Number(a.varint());
        const f = k >>> 3;
        const w = k & 7;
        if (f === 1 && w === 2) name = utf8.decode(a.bytesField());
        else if (f === 3 && w === 0) int = a.int64();
        else if (f === 5 && w === 2) tensor = readTensor(a.sub());
        else a.skip(w);
      }
      if (tensor) node.tensorAttributes.set(name, tensor);
      if (int !== null) node.intAttributes.set(name, int);
    } else r.skip(wire);
  }
  return node;
}

/** Reads the nodes and initializers of an ONNX model file's main graph. */
export function readOnnxGraph(modelBytes: Uint8Array): OnnxGraph {
  const model = new ProtoReader(modelBytes);
  const graph: OnnxGraph = { nodes: [], initializers: new Map() };
  let sawGraph = false;
  while (!model.done) {
    const key = Number(model.varint());
    const wire = key & 7;
    if (key >>> 3 !== 7 || wire !== 2) {
      model.skip(wire);
      continue;
    }
    sawGraph = true;
    const g = model.sub();
    while (!g.done) {
      const k = Number(g.varint());
      const f = k >>> 3;
      const w = k & 7;
      if (f === 1 && w === 2) graph.nodes.push(readNode(g.sub()));
      else if (f === 5 && w === 2) {
        const t = readTensor(g.sub());
        graph.initializers.set(t.name, t);
      } else g.skip(w);
    }
  }
  if (!sawGraph) throw new Error('not an ONNX model: no graph');
  return graph;
}
