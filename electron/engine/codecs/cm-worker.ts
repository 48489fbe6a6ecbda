// A worker thread that codes whole blocks with the context mixer: the coder is synchronous, so a second core
// can only help through a second thread. Each worker opens the bundled prior once (its own copy).
import { parentPort } from 'node:worker_threads';
import { OctozipError } from '../errors.ts';
import { priorStore, type PriorId } from '../model/prior-store.ts';
import { decodeContextMixingChunk, encodeContextMixingBlock } from './context-mixing.ts';

export type CmWorkerRequest =
  | { id: number; kind: 'encode'; raw: Uint8Array; priors: PriorChoice; candidates: number[] }
  | { id: number; kind: 'decode'; payload: Uint8Array; rawSize: number; prefix: number; priors: PriorChoice };

/**
 * The codec's prior list as the worker opens it: each slot's bundled prior (null where this build lacks it; the
 * main thread refuses such a payload before sending it), and where the files are (undefined: the bundled ones).
 */
export interface PriorChoice {
  resourcesDir: string | undefined;
  ids: (PriorId | null)[];
}

export type CmWorkerReply =
  | { id: number; kind: 'progress'; bytesDone: number }
  | { id: number; kind: 'done'; bytes: Uint8Array }
  | { id: number; kind: 'error'; message: string; code?: string };

const port = parentPort;
if (port) {
  port.on('message', (request: CmWorkerRequest) => {
    try {
      // The main thread has already checked the priors the archive names against this build's (codecs/context-mixing.ts).
      const slots = request.priors.ids.map((id) => (id === null ? null : priorStore(request.priors.resourcesDir, id)));
      const onProgress = (bytesDone: number) => port.postMessage({ id: request.id, kind: 'progress', bytesDone } satisfies CmWorkerReply);
      const bytes =
        request.kind === 'encode'
          ? encodeContextMixingBlock(request.raw, request.candidates.map((index) => ({ store: slots[index]!, index })), onProgress)
          : decodeContextMixingChunk(request.payload, request.rawSize, slots, request.prefix, onProgress);
      port.postMessage({ id: request.id, kind: 'done', bytes } satisfies CmWorkerReply, [bytes.buffer as ArrayBuffer]);
    } catch (err) {
      const code = err instanceof OctozipError ? err.code : undefined;
      port.postMessage({ id: request.id, kind: 'error', message: (err as Error)?.message ?? String(err), code } satisfies CmWorkerReply);
    }
  });
}
