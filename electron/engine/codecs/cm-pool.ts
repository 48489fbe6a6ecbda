// Spreads context-mixing blocks over worker threads (./cm-worker.ts), one block per worker at a time, so create,
// extract and verify use every core. Results do not depend on how work is spread: each block is coded by the
// same integer code wherever it runs. A cancel terminates the workers (they hold no native resources) rather
// than waiting up to a block's coding time.
import type { Worker } from 'node:worker_threads';
import { OctozipError, throwIfAborted, type ErrorCode } from '../errors.ts';
import { startModuleWorker } from '../worker-bootstrap.ts';
import type { CmWorkerReply, CmWorkerRequest } from './cm-worker.ts';

type Job = CmWorkerRequest extends infer R ? (R extends CmWorkerRequest ? Omit<R, 'id'> : never) : never;

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class ContextMixingPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #waiting: (() => void)[] = [];
  readonly #pending = new Map<
    number,
    { slot: Slot; resolve: (b: Uint8Array) => void; reject: (e: Error) => void; onProgress: ((bytesDone: number) => void) | undefined }
  >();
  #nextId = 1;
  #closed = false;

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  get size(): number {
    return this.#size;
  }

  /** Workers started so far (at most size): blocks coded at once each start one. */
  get started(): number {
    return this.#slots.length;
  }

  #spawn(): Slot {
    const worker = startModuleWorker(new URL('./cm-worker.ts', import.meta.url), null);
    const slot: Slot = { worker, busy: false };
    worker.on('message', (reply: CmWorkerReply) => {
      const pending = this.#pending.get(reply.id);
      if (reply.kind === 'progress') {
        pending?.onProgress?.(reply.bytesDone);
        return;
      }
      this.#pending.delete(reply.id);
      if (!pending) return;
      if (reply.kind === 'done') pending.resolve(reply.bytes);
      else pending.reject(reply.code ? new OctozipError(reply.code as ErrorCode, reply.message) : new Error(reply.message));
    });
    const fail = (err: Error) => {
      // A worker that died takes its request with it; the pool replaces it on the next request.
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      for (const [id, p] of this.#pending) {
        if (p.slot !== slot) continue;
        this.#pending.delete(id);
        p.reject(err);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a context-mixing worker stopped (exit code ${code})`)));
    this.#slots.push(slot);
    return slot;
  }

  async #acquire(signal: AbortSignal | undefined): Promise<Slot> {
    for (;;) {
      throwIfAborted(signal);
      if (this.#closed) throw new OctozipError('cancelled', 'The operation was cancelled.');
      // Taken here, in the same turn as it is found free: marking it after the await let two blocks started
      // together both take the first worker, which then coded them one after the other.
      const slot = this.#slots.find((s) => !s.busy) ?? (this.#slots.length < this.#size ? this.#spawn() : null);
      if (slot) {
        slot.busy = true;
        return slot;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  #release(slot: Slot): void {
    slot.busy = false;
    this.#waiting.shift()?.();
  }

  /** Runs one block's coding on a free worker; onProgress gets the block's bytes coded so far. */
  async run(job: Job, transfer: ArrayBuffer[], signal?: AbortSignal, onProgress?: (bytesDone: number) => void): Promise<Uint8Array> {
    const slot = await this.#acquire(signal);
    const id = this.#nextId++;
    const onAbort = () => void this.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        this.#pending.set(id, { slot, resolve, reject, onProgress });
        slot.worker.postMessage({ ...job, id }, transfer);
      });
    } catch (err) {
      throwIfAborted(signal);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#release(slot);
    }
  }

  /** Ends every worker (running requests reject); the pool refuses further work. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    for (const resolve of this.#waiting.splice(0)) resolve();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
