// A worker thread that codes segments with its own ORT session and predictors. onnxruntime-node runs inference
// synchronously on the calling thread, so a second core can only help through a second thread like this one.
import { parentPort, workerData } from 'node:worker_threads';
import { OctozipError } from '../errors.ts';
import { FrequencyTable } from './frequencies.ts';
import { BundledModel, type ModelManifest } from './manifest.ts';
import { decodeLanes, encodeSegment, type DecodeLane } from './network-coding.ts';
import { NetworkSession } from './network-session.ts';

export interface WorkerInit {
  manifest: ModelManifest;
  dir: string;
  threads: number;
}

export type WorkerRequest =
  | { id: number; kind: 'encode'; segment: Uint8Array; tableBits: number }
  | { id: number; kind: 'decode'; lanes: DecodeLane[] };

/**
 * Control messages, handled as soon as they arrive (between ORT calls): 'cancel' stops the running and queued
 * requests, which then reply 'cancelled'; 'close' releases the session and ends the thread. Terminating a thread
 * while onnxruntime-node holds a session in it can abort the whole process, so the pool never does that.
 */
export type WorkerControl = { kind: 'cancel' } | { kind: 'close' };

export type WorkerReply =
  | { id: number; kind: 'encoded'; coded: Uint8Array }
  | { id: number; kind: 'decoded'; outputs: Uint8Array[] }
  | { id: number; kind: 'error'; message: string; code?: string };

const port = parentPort;
if (port) {
  const init = (workerData as { data: WorkerInit }).data;
  const frequencies = new FrequencyTable(init.manifest);
  const sessionReady = NetworkSession.open(new BundledModel(init.manifest, init.dir), { intraOpNumThreads: init.threads });
  // Requests are handled one at a time, in order: the session is synchronous anyway.
  let queue: Promise<void> = Promise.resolve();
  let cancel = new AbortController();
  port.on('message', (message: WorkerRequest | WorkerControl) => {
    if (message.kind === 'cancel') {
      cancel.abort();
      // Requests posted after the cancel run normally.
      queue = queue.then(() => {
        cancel = new AbortController();
      });
      return;
    }
    if (message.kind === 'close') {
      queue = queue.then(async () => {
        await (await sessionReady.catch(() => null))?.close();
        port.close();
      });
      return;
    }
    const request = message;
    queue = queue.then(async () => {
      try {
        const signal = cancel.signal;
        const session = await sessionReady;
        if (request.kind === 'encode') {
          const coded = await encodeSegment(session, frequencies, request.segment, { tableBits: request.tableBits, signal });
          port.postMessage({ id: request.id, kind: 'encoded', coded } satisfies WorkerReply, [coded.buffer as ArrayBuffer]);
        } else {
          const outputs = await decodeLanes(session, frequencies, request.lanes, { signal });
          port.postMessage(
            { id: request.id, kind: 'decoded', outputs } satisfies WorkerReply,
            outputs.map((o) => o.buffer as ArrayBuffer),
          );
        }
      } catch (err) {
        const code = err instanceof OctozipError ? err.code : undefined;
        port.postMessage({ id: request.id, kind: 'error', message: (err as Error)?.message ?? String(err), code } satisfies WorkerReply);
      }
    });
  });
}
