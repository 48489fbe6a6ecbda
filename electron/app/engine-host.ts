// The engine host's message loop: runs engine and catalog requests from main, one reply per request, progress
// in between, and cancels by id. It is plain Node so tests can run it in a child process; in the app it runs
// inside an Electron utilityProcess (engine-host-main.ts), so a long or hostile job never touches the window.
import {
  OctozipError,
  type ArchiveListing,
  type CreateOptions,
  type CreateSummary,
  type ExtractOptions,
  type ExtractSummary,
  type VerifyOptions,
  type VerifyReport,
} from '../engine/index.ts';
import type { HostError, HostMethod, HostParams, HostReply, HostRequest, HostResults } from '../contract.ts';
import type { MessageEndpoint } from './message-endpoint.ts';
import type { Catalog } from './catalog.ts';

/** The engine functions the host calls (electron/engine/index.ts provides them). */
export interface ArchiveEngine {
  createArchive(options: CreateOptions): Promise<CreateSummary>;
  listArchive(options: { archivePath: string; password?: string; signal?: AbortSignal }): Promise<ArchiveListing>;
  extractArchive(options: ExtractOptions): Promise<ExtractSummary>;
  verifyArchive(options: VerifyOptions): Promise<VerifyReport>;
}

type MethodRunner = {
  [M in HostMethod]: (params: HostParams[M], job: { signal: AbortSignal; onProgress: ExtractOptions['onProgress'] }) => Promise<HostResults[M]>;
};

export function toHostError(err: unknown): HostError {
  if (err instanceof OctozipError) {
    return err.subject === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, subject: err.subject };
  }
  // Anything else is a bug or an environment failure; keep its message for the log, never its stack.
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export function serveEngine(
  endpoint: MessageEndpoint<HostRequest, HostReply>,
  services: { engine: ArchiveEngine; catalog: Catalog },
): void {
  const { engine, catalog } = services;
  const running = new Map<number, AbortController>();

  const methods: MethodRunner = {
    create: (p, job) => engine.createArchive({ ...p, ...job }),
    extract: (p, job) => engine.extractArchive({ ...p, ...job }),
    verify: (p, job) => engine.verifyArchive({ ...p, ...job }),
    list: (p, job) => engine.listArchive({ ...p, signal: job.signal }),
    catalogRemember: async (p) => (catalog.remember(p), null),
    catalogList: async () => catalog.list(),
    catalogForget: async (p) => (catalog.forget(p.archivePath), null),
    catalogRecordVerify: async (p) => (catalog.recordVerify(p.archivePath, p.ok, p.at), null),
  };

  endpoint.onMessage((message) => {
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    if (message.type !== 'request') return;
    const { id, method, params } = message;
    const run = methods[method] as (p: unknown, job: { signal: AbortSignal; onProgress: ExtractOptions['onProgress'] }) => Promise<unknown>;
    if (typeof run !== 'function') {
      endpoint.post({ type: 'reply', id, ok: false, error: { code: 'internal', message: `Unknown engine method ${String(method)}.` } });
      return;
    }
    const controller = new AbortController();
    running.set(id, controller);
    const onProgress = (progress: Parameters<NonNullable<ExtractOptions['onProgress']>>[0]) =>
      endpoint.post({ type: 'progress', id, progress });
    run(params, { signal: controller.signal, onProgress })
      .then(
        (value) => endpoint.post({ type: 'reply', id, ok: true, value: value ?? null }),
        (err: unknown) => {
          // An abort surfaces as whatever the engine threw; report it as a cancel whichever error it was.
          const error = controller.signal.aborted ? { code: 'cancelled' as const, message: 'The operation was cancelled.' } : toHostError(err);
          endpoint.post({ type: 'reply', id, ok: false, error });
        },
      )
      .finally(() => running.delete(id));
  });
  endpoint.post({ type: 'ready' });
}
