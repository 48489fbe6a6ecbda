// Proves onnxruntime-node computes exactly the numpy reference's integer logits for an exported model.
//   node build/model/check_onnx.mjs [model.onnx] [reference_vectors.bin]
// Runs the vectors at batch 1, at batch 7 and all at once, with 1 and 2 intra-op threads: every run must equal
// the reference bit for bit. Exits non-zero on the first difference.
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const modelPath = process.argv[2] ?? 'resources/model.onnx';
const vectorsPath = process.argv[3] ?? 'build/model/work/reference_vectors.bin';

const raw = readFileSync(vectorsPath);
const header = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + 8));
const [rows, k] = header;
const ctxBytes = rows * k * 8;
const contexts = new BigInt64Array(raw.buffer.slice(raw.byteOffset + 8, raw.byteOffset + 8 + ctxBytes));
const expected = new Int32Array(raw.buffer.slice(raw.byteOffset + 8 + ctxBytes, raw.byteOffset + 8 + ctxBytes + rows * 256 * 4));

let failures = 0;
for (const threads of [1, 2]) {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  for (const batch of [1, 7, rows]) {
    for (let start = 0; start < rows; start += batch) {
      const n = Math.min(batch, rows - start);
      const input = new ort.Tensor('int64', contexts.slice(start * k, (start + n) * k), [n, k]);
      const { logits } = await session.run({ context: input });
      if (logits.type !== 'int32' || logits.dims[1] !== 256) throw new Error(`logits are ${logits.type} ${logits.dims}`);
      for (let i = 0; i < n * 256; i++) {
        if (logits.data[i] !== expected[start * 256 + i]) {
          failures++;
          if (failures <= 5) {
            console.error(`threads ${threads} batch ${batch} row ${start + Math.floor(i / 256)} byte ${i % 256}: ` +
              `ORT ${logits.data[i]} != reference ${expected[start * 256 + i]}`);
          }
        }
      }
    }
  }
  await session.release();
}
let min = Infinity, max = -Infinity;
for (const v of expected) { if (v < min) min = v; if (v > max) max = v; }
if (failures > 0) {
  console.error(`FAIL: ${failures} logits differ`);
  process.exit(1);
}
console.log(`OK: ${rows} contexts (K=${k}) x 256 logits equal the reference exactly ` +
  `(threads 1 and 2; batch 1, 7, ${rows}); logit range [${min}, ${max}]`);
