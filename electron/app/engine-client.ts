// Main's side of the engine host pipe: turns requests into promises, routes progress to the caller, and turns
// an AbortSignal into a cancel message. If the host dies, every pending request fails instead of hanging.
import type { HostError, HostMethod, HostParams, HostReply, HostRequest, HostResults, Progress } from '../contract.ts';
import type { MessageEndpoint } from './message-endpoint.ts';

export class HostFailure extends Error {
  readonly hostError: HostError;
  constructor(hostError: HostError) {
    super(hostError.message);
    this.name = 'HostFailure';
    this.hostError = hostError;
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** What handlers need from the engine: one typed request function. */
export interface EngineService {
  request<M extends HostMethod>(method: M, params: HostParams[M], options?: RequestOptions): Promise<HostResults[M]>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onProgress?: (progress: Progress) => void;
  detachAbort(): void;
}

export class EngineClient implements EngineService {
  private readonly endpoint: MessageEndpoint<HostReply, HostRequest>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedReason: string | null = null;

  constructor(endpoint: MessageEndpoint<HostReply, HostRequest>) {
    this.endpoint = endpoint;
    endpoint.onMessage((message) => this.receive(message));
  }

  request<M extends HostMethod>(method: M, params: HostParams[M], options: RequestOptions = {}): Promise<HostResults[M]> {
    if (this.closedReason !== null) {
      return Promise.reject(new HostFailure({ code: 'internal', message: this.closedReason }));
    }
    const id = this.nextId++;
    return new Promise<HostResults[M]>((resolve, reject) => {
      const { signal } = options;
      const onAbort = () => this.endpoint.post({ type: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: options.onProgress,
        detachAbort: () => signal?.removeEventListener('abort', onAbort),
      });
      this.endpoint.post({ type: 'request', id, method, params });
      if (signal?.aborted) onAbort();
    });
  }

  /** The host is gone: fail whatever was waiting, and refuse new requests with the same reason. */
  close(reason: string): void {
    this.closedReason = reason;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.detachAbort();
      p.reject(new HostFailure({ code: 'internal', message: reason }));
    }
  }

  private receive(message: HostReply): void {
    if (message.type === 'ready') return;
    const p = this.pending.get(message.id);
    if (!p) return;
    if (message.type === 'progress') {
      p.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    p.detachAbort();
    if (message.ok) p.resolve(message.value);
    else p.reject(new HostFailure(message.error));
  }
}
