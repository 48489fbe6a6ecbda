// The adaptive stage and its arithmetic coder run as WebAssembly (compiled from ./assembly by
// scripts/build-wasm.mjs): integer WebAssembly computes the same on every CPU by specification, and it runs
// several times faster than the same code in JavaScript. One instance is one predictor (its tables live in
// the instance's linear memory); instances are pooled, because fresh memory costs a page fault per 4 KiB on
// first touch and a reused instance's memory is already mapped. The TypeScript coder in test/coder/oracle is
// the reference this must match bit for bit.
import { CODER_WASM_BASE64 } from './coder-wasm.generated.ts';
import type { PredictorPrior, SectionTarget } from './prior.ts';

interface CoderExports {
  readonly memory: WebAssembly.Memory;
  init(tableBits: number, primed: number, revision: number): void;
  sectionPtr(id: number): number;
  sectionLength(id: number): number;
  restored(priorBits: number): void;
  start(): void;
  exportState(): void;
  ioPtr(): number;
  reserveIo(bytes: number): void;
  freqPtr(): number;
  encodeBegin(n: number): void;
  encodeRange(from: number, to: number): void;
  decodeBegin(codedLength: number, n: number): void;
  decodeRange(codedLength: number, from: number, to: number): void;
  primeRange(from: number, to: number): void;
  streamEncodeStart(): void;
  encodeByte(c: number, withNetwork: number): void;
  streamEncodeFinish(): number;
  encodedLengthIfFinished(): number;
  streamDecodeStart(codedLength: number): void;
  decodeByte(withNetwork: number): number;
}

export const DEFAULT_TABLE_BITS = 22;
/**
 * The model revisions this build codes. A revision is what a stream's payload version names: every change to what
 * the model predicts is a new revision, and the old ones stay, so every archive written before still decodes.
 * 3: the model of format 1 and the first solid archives; 4: a 16 MiB history, long match candidates, line and
 * indirect contexts (assembly/predictor.ts says what and why); 5: bit histories in the counters
 * (assembly/context-table.ts), and no order-2 APM (assembly/predictor.ts); 6: a third mixer selector, slower
 * counts in the higher orders, a higher floor on the mixer's rate (assembly/mixer.ts); 7: contexts and a
 * selector from each byte's syntactic class (the shape of the last bytes, the indentation, the brace depth;
 * assembly/predictor.ts); 8: the syntax state (quote, comment, tag) in two contexts (assembly/predictor.ts), and
 * tables up to 2^25 slots, which a smaller prior fills (table-size.ts); 9: each context's counter and bit history
 * as two mixer inputs instead of their average (assembly/context-table.ts, assembly/mixer.ts); 10: two more
 * APMs, by the match's state and by the byte before last, and each APM update moves both points around the
 * input (assembly/predictor.ts, assembly/apm.ts).
 */
export const MODEL_REVISIONS = [3, 4, 5, 6, 7, 8, 9, 10] as const;
export type ModelRevision = (typeof MODEL_REVISIONS)[number];
export const LATEST_REVISION: ModelRevision = 10;
/**
 * The revision the bundled priors are learned with: revision 3, so that their bytes, and the SHA-256s archives
 * name them by, stay as they were. Later revisions' streams start from the same prior; their new contexts start
 * unlearned and learn from the block (measured: revision 4 still 3.5% smaller on the curl tree than revision 3),
 * revision 5 and later move the prior's counters into their own slots as they load them (assembly/index.ts,
 * restored), and revision 6's third mixer selector starts fresh. (Priming with revision 5 itself did worse: on
 * own held-out code, 92,807 bytes against 92,459 from the revision-3 prior.)
 */
export const PRIOR_REVISION: ModelRevision = 3;

export function isModelRevision(n: number): n is ModelRevision {
  return (MODEL_REVISIONS as readonly number[]).includes(n);
}
/** Bytes coded between progress reports: about a second of coding at most, a negligible number of calls. */
const PROGRESS_STEP = 256 * 1024;
/**
 * Bytes coded per call into the module. V8 first runs WebAssembly from its quick baseline compiler and swaps in
 * optimized code between calls, never inside a running one (there is no on-stack replacement for WebAssembly),
 * so one call per stream would code a whole block at baseline speed. Measured on lcet10.txt: one call 206 KB/s,
 * 256 KiB calls 239 KB/s, 16 KiB calls 304 KB/s. The loop and the output are the same either way.
 */
const CALL_STEP = 16 * 1024;
/** The prior's sections, in the order of the module's section ids. */
const SECTIONS = ['contexts', 'order0', 'match', 'mixer', 'apm.order1', 'apm.order2'] as const;
const CONTEXTS = 0;
/** The first revision whose table may be larger than its prior's. */
export const LARGER_TABLE_REVISION = 8;

/** Whether a prior of 2^priorBits slots can start a stream of this revision with a table of 2^tableBits. */
export function priorFitsTable(priorBits: number, tableBits: number, revision: ModelRevision): boolean {
  return revision >= LARGER_TABLE_REVISION ? priorBits >= 12 && priorBits <= tableBits : priorBits === tableBits;
}

function checkPriorFits(priorBits: number, tableBits: number, revision: ModelRevision): void {
  if (!priorFitsTable(priorBits, tableBits, revision)) throw new RangeError(`the prior has tableBits ${priorBits}, the stream ${tableBits}`);
}
/**
 * Spare instances kept for reuse, per thread: at most this much linear memory in all (one instance at the
 * largest table, ~200 MB with a 16 MiB block's input: 128 MiB of contexts, 32 MiB of match positions, 16 MiB of
 * history; or a few smaller ones), dropped after a while unused. Every worker thread has a pool of its own, so
 * this bounds memory per thread, not per process.
 */
const POOL_MAX_BYTES = 256 * 1024 * 1024;
const POOL_IDLE_MS = 30_000;

let compiled: WebAssembly.Module | undefined;
const spares: CoderExports[] = [];
let idleTimer: ReturnType<typeof setTimeout> | undefined;

function coderModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(CODER_WASM_BASE64, 'base64'));
  return compiled;
}

/** One spare instance per variant module (dev measurements only, so no limit). */
const variantSpares = new WeakMap<WebAssembly.Module, CoderExports>();

function takeInstance(variant?: WebAssembly.Module): CoderExports {
  if (variant) {
    const spare = variantSpares.get(variant);
    variantSpares.delete(variant);
    return spare ?? (new WebAssembly.Instance(variant, {}).exports as unknown as CoderExports);
  }
  return spares.pop() ?? (new WebAssembly.Instance(coderModule(), {}).exports as unknown as CoderExports);
}

function giveBack(instance: CoderExports, variant: WebAssembly.Module | undefined): void {
  if (variant) {
    variantSpares.set(variant, instance);
    return;
  }
  const held = spares.reduce((sum, s) => sum + s.memory.buffer.byteLength, 0);
  if (held + instance.memory.buffer.byteLength <= POOL_MAX_BYTES) spares.push(instance);
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => spares.splice(0), POOL_IDLE_MS);
  idleTimer.unref?.();
}

/**
 * Runs code(from, to) over start..n in CALL_STEP ranges, reporting progress (bytes done from 0) about every
 * PROGRESS_STEP bytes.
 */
function inSteps(start: number, n: number, code: (from: number, to: number) => void, onProgress?: (bytesDone: number) => void): void {
  let reported = start;
  for (let from = start; from < n; from += CALL_STEP) {
    const to = Math.min(n, from + CALL_STEP);
    code(from, to);
    if (onProgress && (to - reported >= PROGRESS_STEP || to === n)) {
      reported = to;
      onProgress(to);
    }
  }
}

export interface PredictorOptions {
  /** The model revision (default LATEST_REVISION); encoder and decoder must agree. */
  revision?: ModelRevision;
  /** log2 of the hashed context table's int32 slots (12..28, default 22); encoder and decoder must agree. */
  tableBits?: number;
  /**
   * Learned statistics to start from (copied in). Its tableBits must equal tableBits, or from revision 8 on
   * (LARGER_TABLE_REVISION) be at most tableBits: the prior then fills a larger table (assembly/context-table.ts,
   * spreadPriorTable).
   */
  prior?: PredictorPrior;
  /**
   * Or: fills every section of a prior (of this tableBits) straight into the predictor's memory through the
   * target it is given (PriorStore.loadInto), which saves copying the ~80 MB prior twice.
   */
  loadPrior?: (target: SectionTarget) => void;
  /**
   * A module compiled from a changed copy of ./assembly instead of the bundled one: for measuring model changes
   * (test/coder/compare-variants.ts), never for archives.
   */
  variant?: WebAssembly.Module;
}

/** One predictor and its coder, for one stream. Call release() when the stream is done. */
export class WasmPredictor {
  #x: CoderExports | null;
  readonly #variant: WebAssembly.Module | undefined;
  /** A stream begun with beginEncode: its length and how much of it is coded. */
  #encoding: { length: number; done: number } | null = null;

  constructor(options: PredictorOptions = {}) {
    const tableBits = options.tableBits ?? DEFAULT_TABLE_BITS;
    if (!Number.isInteger(tableBits) || tableBits < 12 || tableBits > 28) {
      throw new RangeError(`tableBits must be an integer in 12..28, got ${tableBits}`);
    }
    const revision = options.revision ?? LATEST_REVISION;
    if (!isModelRevision(revision)) throw new RangeError(`model revision ${String(revision)} is not one of ${MODEL_REVISIONS.join(', ')}`);
    const prior = options.prior;
    if (prior) checkPriorFits(prior.tableBits, tableBits, revision);
    const sections = prior ? SECTIONS.map((name) => prior.sections.get(name)) : [];
    SECTIONS.forEach((name, i) => {
      if (prior && !sections[i]) throw new RangeError(`the prior has no ${name} section`);
    });
    const x = takeInstance(options.variant);
    this.#x = x;
    this.#variant = options.variant;
    try {
      x.init(tableBits, prior || options.loadPrior ? 1 : 0, revision);
      if (prior) {
        sections.forEach((data, id) => {
          if (data!.length !== (id === CONTEXTS ? 2 ** prior.tableBits : x.sectionLength(id))) throw new RangeError(`${SECTIONS[id]} state of the wrong size`);
          new Int32Array(x.memory.buffer, x.sectionPtr(id), data!.length).set(data!);
        });
        x.restored(prior.tableBits);
      } else if (options.loadPrior) {
        const filled = new Set<number>();
        let priorBits = tableBits;
        options.loadPrior((name, length) => {
          const id = (SECTIONS as readonly string[]).indexOf(name);
          if (id < 0) throw new RangeError(`the prior has an unknown section ${name}`);
          if (id === CONTEXTS) {
            priorBits = Math.log2(length);
            if (!Number.isInteger(priorBits)) throw new RangeError(`${name} state of the wrong size`);
            checkPriorFits(priorBits, tableBits, revision);
          } else if (length !== x.sectionLength(id)) throw new RangeError(`${name} state of the wrong size`);
          filled.add(id);
          // Revision 5 and later have no order-2 APM: its 8.6 MB stay on disk (and out of this instance's memory).
          if (name === 'apm.order2' && revision >= 5) return null;
          return new Int32Array(x.memory.buffer, x.sectionPtr(id), length);
        });
        SECTIONS.forEach((name, id) => {
          if (!filled.has(id)) throw new RangeError(`the prior has no ${name} section`);
        });
        x.restored(priorBits);
      }
      x.start();
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** Returns the instance to the pool; this predictor is unusable afterwards. */
  release(): void {
    if (this.#x) giveBack(this.#x, this.#variant);
    this.#x = null;
  }

  get #live(): CoderExports {
    if (!this.#x) throw new Error('this predictor was released');
    return this.#x;
  }

  /** Codes all of data; returns the arithmetic-coded bytes. onProgress hears the bytes coded so far (see inSteps). */
  encode(data: Uint8Array, onProgress?: (bytesDone: number) => void): Uint8Array {
    this.beginEncode(data);
    this.encodeTo(data.length, onProgress);
    return this.endEncode();
  }

  /**
   * Starts coding data in parts: encodeTo(end) codes up to end, as often as wanted, then endEncode. The bytes are
   * those encode(data) gives; in between, encodedLength() tells how long they would be if the stream ended there.
   */
  beginEncode(data: Uint8Array): void {
    const x = this.#live;
    x.reserveIo(data.length);
    new Uint8Array(x.memory.buffer, x.ioPtr(), data.length).set(data);
    x.encodeBegin(data.length);
    this.#encoding = { length: data.length, done: 0 };
  }

  encodeTo(end: number, onProgress?: (bytesDone: number) => void): void {
    const x = this.#live;
    const encoding = this.#encoding;
    if (!encoding || end < encoding.done || end > encoding.length) throw new RangeError(`encodeTo(${end}) outside the stream begun`);
    inSteps(encoding.done, end, (from, to) => x.encodeRange(from, to), onProgress);
    encoding.done = end;
  }

  /** The length endEncode would return if the stream ended after the bytes coded so far. */
  encodedLength(): number {
    return this.#live.encodedLengthIfFinished();
  }

  endEncode(): Uint8Array {
    const x = this.#live;
    const encoding = this.#encoding;
    if (!encoding || encoding.done !== encoding.length) throw new RangeError('endEncode before every byte was coded');
    this.#encoding = null;
    const coded = x.streamEncodeFinish();
    // The I/O region may have moved if memory grew: read its address again.
    return new Uint8Array(x.memory.buffer, x.ioPtr() + encoding.length, coded).slice();
  }

  /** Decodes n bytes (any prefix of the coded stream's bytes: decoding stops after n); onProgress as for encode. */
  decode(coded: Uint8Array, n: number, onProgress?: (bytesDone: number) => void): Uint8Array {
    const x = this.#live;
    x.reserveIo(coded.length + n);
    const at = x.ioPtr();
    new Uint8Array(x.memory.buffer, at, coded.length).set(coded);
    x.decodeBegin(coded.length, n);
    inSteps(0, n, (from, to) => x.decodeRange(coded.length, from, to), onProgress);
    return new Uint8Array(x.memory.buffer, x.ioPtr() + coded.length, n).slice();
  }

  /** Learns from text without coding it (building a prior). */
  prime(text: Uint8Array): void {
    const x = this.#live;
    x.reserveIo(text.length);
    new Uint8Array(x.memory.buffer, x.ioPtr(), text.length).set(text);
    inSteps(0, text.length, (from, to) => x.primeRange(from, to));
  }

  /** Starts coding byte by byte (encodeByte, then finishEncode). */
  startEncode(): void {
    this.#live.streamEncodeStart();
  }

  /** Codes byte c; networkFreq: the network's 256 frequencies (each >= 1) for it, or null without a network. */
  encodeByte(c: number, networkFreq: Int32Array | null): void {
    const x = this.#live;
    this.#loadFrequencies(x, networkFreq);
    x.encodeByte(c, networkFreq ? 1 : 0);
  }

  finishEncode(): Uint8Array {
    const x = this.#live;
    const n = x.streamEncodeFinish();
    return new Uint8Array(x.memory.buffer, x.ioPtr(), n).slice();
  }

  /** Starts decoding coded byte by byte (decodeByte). */
  startDecode(coded: Uint8Array): void {
    const x = this.#live;
    x.reserveIo(coded.length);
    new Uint8Array(x.memory.buffer, x.ioPtr(), coded.length).set(coded);
    x.streamDecodeStart(coded.length);
  }

  /** Decodes the next byte, given the same network frequencies the encoder had (or null). Past the end: some byte. */
  decodeByte(networkFreq: Int32Array | null): number {
    const x = this.#live;
    this.#loadFrequencies(x, networkFreq);
    return x.decodeByte(networkFreq ? 1 : 0);
  }

  /** What this predictor has learned so far, as a prior (copies; see prior.ts). */
  learnedState(tableBits: number): PredictorPrior {
    const x = this.#live;
    x.exportState();
    const sections = new Map<string, Int32Array>();
    SECTIONS.forEach((name, id) => sections.set(name, new Int32Array(x.memory.buffer, x.sectionPtr(id), x.sectionLength(id)).slice()));
    return { tableBits, sections };
  }

  #loadFrequencies(x: CoderExports, networkFreq: Int32Array | null): void {
    if (!networkFreq) return;
    if (networkFreq.length < 256) throw new RangeError('the network gives 256 frequencies per byte');
    new Int32Array(x.memory.buffer, x.freqPtr(), 256).set(networkFreq.subarray(0, 256));
  }
}
