// The onnxruntime-node session that scores contexts with the bundled integer network. onnxruntime is imported
// lazily so that code paths without the neural codec (the fast preset, listing) never load the native library.
import type { InferenceSession } from 'onnxruntime-node';
import type { BundledModel } from './manifest.ts';

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | null = null;
function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => ((m as { default?: Ort }).default ?? m) as Ort);
  return ortModule;
}

export interface NetworkSessionOptions {
  /** ORT intra-op threads; results are identical for any count (the network is integer), only speed changes. */
  intraOpNumThreads?: number;
}

export class NetworkSession {
  readonly model: BundledModel;
  /** K: context symbols per row. */
  readonly context: number;
  readonly #session: InferenceSession;
  readonly #ort: Ort;

  private constructor(model: BundledModel, ort: Ort, session: InferenceSession) {
    this.model = model;
    this.context = model.manifest.architecture.context;
    this.#ort = ort;
    this.#session = session;
  }

  /** Verifies the model's SHA-256, then opens it. */
  static async open(model: BundledModel, options: NetworkSessionOptions = {}): Promise<NetworkSession> {
    await model.verify();
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(model.onnxPath, {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new NetworkSession(model, ort, session);
  }

  /**
   * A context buffer for `rows` rows. ORT wants int64; symbols are 0..256, so we write each into the low 32-bit
   * word of its int64 through an Int32Array view and leave the high word zero (this avoids creating BigInts).
   */
  static allocateContexts(rows: number, context: number): { int64: BigInt64Array; words: Int32Array } {
    const int64 = new BigInt64Array(rows * context);
    return { int64, words: new Int32Array(int64.buffer) };
  }

  /**
   * Logits (rows x 256, int32) for `rows` contexts held in `contexts` (as from allocateContexts, at least rows x K
   * entries; symbol p of row r at words[2 * (r * K + p)]).
   */
  async score(contexts: BigInt64Array, rows: number): Promise<Int32Array> {
    if (rows === 0) return new Int32Array(0);
    const data = contexts.length === rows * this.context ? contexts : contexts.subarray(0, rows * this.context);
    const input = new this.#ort.Tensor('int64', data, [rows, this.context]);
    const result = await this.#session.run({ context: input });
    const logits = result.logits;
    if (!logits || logits.type !== 'int32' || logits.dims[0] !== rows || logits.dims[1] !== 256) {
      throw new Error(`the model returned ${logits?.type} logits of shape [${logits?.dims.join(', ')}], expected int32 [${rows}, 256]`);
    }
    return logits.data as Int32Array;
  }

  /** Convenience for tests and tools: score contexts given as plain symbols (rows x K). */
  async scoreSymbols(symbols: ArrayLike<number>, rows: number): Promise<Int32Array> {
    const { int64, words } = NetworkSession.allocateContexts(rows, this.context);
    for (let i = 0; i < rows * this.context; i++) words[2 * i] = symbols[i]!;
    return this.score(int64, rows);
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
