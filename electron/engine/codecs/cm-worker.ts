// A worker thread that codes whole blocks with the context mixer: the coder is synchronous, so a second core
// can only help through a second thread. Each worker opens the bundled prior once (its own copy).
import { parentPort } from 'node:worker_threads';
import { OctozipError } from '../errors.ts';
import { priorStore } from '../model/prior-store.ts';
import { decodeContextMixingChunk, encodeContextMixingChunk } from './context-mixing.ts';

export type CmWorkerRequest =
  | { id: number; kind: 'encode'; raw: Uint8Array; prior: PriorChoice }
  | { id: number; kind: 'decode'; payload: Uint8Array; rawSize: number; prefix: number; prior: PriorChoice };

/** Whether the codec may use a prior, and where the prior files are (undefined: the bundled resources). */
export type PriorChoice = { use: false } | { use: true; resourcesDir: string | undefined };

export type CmWorkerReply =
  | { id: number; kind: 'progress'; bytesDone: number }
  | { id: number; kind: 'done'; bytes: Uint8Array }
  | { id: number; kind: 'error'; message: string; code?: string };

const port = parentPort;
if (port) {
  port.on('message', (request: CmWorkerRequest) => {
    try {
      // The main thread has already checked the prior the archive names against this build's (codecs/context-mixing.ts).
      const prior = request.prior.use ? priorStore(request.prior.resourcesDir) : null;
      const onProgress = (bytesDone: number) => port.postMessage({ id: request.id, kind: 'progress', bytesDone } satisfies CmWorkerReply);
      const bytes =
        request.kind === 'encode'
          ? encodeContextMixingChunk(request.raw, prior, onProgress)
          : decodeContextMixingChunk(request.payload, request.rawSize, prior, request.prefix, onProgress);
      port.postMessage({ id: request.id, kind: 'done', bytes } satisfies CmWorkerReply, [bytes.buffer as ArrayBuffer]);
    } catch (err) {
      const code = err instanceof OctozipError ? err.code : undefined;
      port.postMessage({ id: request.id, kind: 'error', message: (err as Error)?.message ?? String(err), code } satisfies CmWorkerReply);
    }
  });
}
