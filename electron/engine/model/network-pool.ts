// Spreads segment coding over worker threads (./network-worker.ts), each with its own ORT session, so encoding
// and decoding use every core: onnxruntime-node and the predictor both run synchronously on their thread.
// Results do not depend on how work is spread: every segment is coded by the same integer code wherever it runs.
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { OctozipError, throwIfAborted, type ErrorCode } from '../errors.ts';
import { startModuleWorker } from '../worker-bootstrap.ts';
import type { BundledModel } from './manifest.ts';
import type { DecodeLane } from './network-coding.ts';
import type { WorkerControl, WorkerInit, WorkerReply, WorkerRequest } from './network-worker.ts';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void };
type Job = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

class CodingWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | null = null;

  constructor(init: WorkerInit) {
    this.#worker = startModuleWorker(new URL('./network-worker.ts', import.meta.url), init);
    this.#worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      pending?.resolve(reply);
    });
    const fail = (err: Error): void => {
      this.#failure ??= err;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`a coding worker stopped (exit code ${code})`)));
  }

  request(job: Job, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...job, id }, transfer);
    });
  }

  /** Stops the running and queued requests; they reject with 'cancelled'. The worker stays usable. */
  cancel(): void {
    if (!this.#failure) this.#worker.postMessage({ kind: 'cancel' } satisfies WorkerControl);
  }

  /** Lets the worker release its ORT session and end; terminate() is only a last resort (see WorkerControl). */
  async close(): Promise<void> {
    if (this.#failure) return;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage({ kind: 'close' } satisfies WorkerControl);
    const timer = setTimeout(() => void this.#worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function unwrap(reply: WorkerReply): WorkerReply {
  if (reply.kind === 'error') {
    throw reply.code ? new OctozipError(reply.code as ErrorCode, reply.message) : new Error(reply.message);
  }
  return reply;
}

export interface NetworkPoolOptions {
  workers: number;
  /** ORT intra-op threads in each worker. */
  threads?: number;
}

export class NetworkPool {
  readonly #init: WorkerInit;
  readonly #size: number;
  #workers: CodingWorker[] | null = null;

  constructor(model: BundledModel, options: NetworkPoolOptions) {
    this.#init = { manifest: model.manifest, dir: path.dirname(model.onnxPath), threads: options.threads ?? 1 };
    this.#size = Math.max(1, options.workers);
  }

  get size(): number {
    return this.#size;
  }

  #ensure(): CodingWorker[] {
    this.#workers ??= Array.from({ length: this.#size }, () => new CodingWorker(this.#init));
    return this.#workers;
  }

  /** Runs `fn`; on abort, tells the workers to stop (they do within one ORT call) and waits for them. */
  async #abortable<T>(signal: AbortSignal | undefined, fn: (workers: CodingWorker[]) => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    const workers = this.#ensure();
    if (!signal) return fn(workers);
    const onAbort = (): void => workers.forEach((w) => w.cancel());
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(workers);
    } catch (err) {
      throwIfAborted(signal);
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Encodes segments, each on whichever worker is free next. */
  encodeSegments(segments: readonly { bytes: Uint8Array; tableBits: number }[], signal?: AbortSignal): Promise<Uint8Array[]> {
    return this.#abortable(signal, async (workers) => {
      const results: Uint8Array[] = new Array(segments.length);
      let next = 0;
      await Promise.all(
        workers.map(async (worker) => {
          while (next < segments.length) {
            throwIfAborted(signal);
            const i = next++;
            // A copy of just this segment, which we can transfer: posting a subarray would clone its whole
            // underlying buffer. (new Uint8Array copies; Buffer#slice would return a view of the caller's memory.)
            const segment = new Uint8Array(segments[i]!.bytes);
            const tableBits = segments[i]!.tableBits;
            const reply = unwrap(await worker.request({ kind: 'encode', segment, tableBits }, [segment.buffer]));
            results[i] = (reply as { coded: Uint8Array }).coded;
          }
        }),
      );
      return results;
    });
  }

  /** Decodes lanes: split into one group per worker (balanced by length), each group stepping in lockstep. */
  decodeLanes(lanes: readonly DecodeLane[], signal?: AbortSignal): Promise<Uint8Array[]> {
    return this.#abortable(signal, async (workers) => {
      const groups: number[][] = workers.map(() => []);
      const load = workers.map(() => 0);
      const order = lanes.map((_, i) => i).sort((a, b) => lanes[b]!.rawSize - lanes[a]!.rawSize || a - b);
      for (const lane of order) {
        let g = 0;
        for (let j = 1; j < groups.length; j++) if (load[j]! < load[g]!) g = j;
        groups[g]!.push(lane);
        load[g]! += lanes[lane]!.rawSize;
      }
      const results: Uint8Array[] = new Array(lanes.length);
      await Promise.all(
        groups.map(async (group, g) => {
          if (group.length === 0) return;
          const groupLanes = group.map((i) => ({ ...lanes[i]!, coded: new Uint8Array(lanes[i]!.coded) }));
          const reply = unwrap(
            await workers[g]!.request({ kind: 'decode', lanes: groupLanes }, groupLanes.map((l) => l.coded.buffer as ArrayBuffer)),
          );
          (reply as { outputs: Uint8Array[] }).outputs.forEach((out, j) => (results[group[j]!] = out));
        }),
      );
      return results;
    });
  }

  async close(): Promise<void> {
    const workers = this.#workers;
    this.#workers = null;
    if (workers) await Promise.all(workers.map((w) => w.close()));
  }
}
