// Real parts for the app's tests: the real engine behind the real host loop, either in this process (over an
// in-memory pipe that copies messages as structured clones, like a real one) or in a child process.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as engine from '../../electron/engine/index.ts';
import type { AppEvent, HostReply, HostRequest } from '../../electron/contract.ts';
import { Catalog } from '../../electron/app/catalog.ts';
import { EngineClient } from '../../electron/app/engine-client.ts';
import { serveEngine } from '../../electron/app/engine-host.ts';
import type { DialogService, SenderContext } from '../../electron/app/handlers.ts';
import type { MessageEndpoint } from '../../electron/app/message-endpoint.ts';

export const ENGINE_HOST_ENTRY = fileURLToPath(new URL('../../electron/app/engine-host-main.ts', import.meta.url));

/** Two connected endpoints; each message is cloned and delivered on a later turn, as across a process. */
export function memoryPipe<A, B>(): { left: MessageEndpoint<B, A>; right: MessageEndpoint<A, B> } {
  const toRight: ((m: A) => void)[] = [];
  const toLeft: ((m: B) => void)[] = [];
  return {
    left: { post: (m) => void setImmediate(() => toRight.forEach((l) => l(structuredClone(m)))), onMessage: (l) => void toLeft.push(l) },
    right: { post: (m) => void setImmediate(() => toLeft.forEach((l) => l(structuredClone(m)))), onMessage: (l) => void toRight.push(l) },
  };
}

/** The real engine and a real catalog file behind the real host loop, in this process. */
export function inProcessEngine(catalogPath: string): { client: EngineClient; catalog: Catalog } {
  const pipe = memoryPipe<HostRequest, HostReply>();
  const catalog = new Catalog(catalogPath);
  serveEngine(pipe.right, { engine, catalog });
  return { client: new EngineClient(pipe.left), catalog };
}

/** The engine host entry point in a child process (as the app runs it in a utilityProcess). */
export async function forkEngineHost(catalogPath: string): Promise<{ client: EngineClient; child: ChildProcess; stop(): Promise<void> }> {
  const child = fork(ENGINE_HOST_ENTRY, ['--catalog', catalogPath], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`engine host exited with ${code} before it was ready`)));
    child.on('message', (m: HostReply) => {
      if (m.type === 'ready') resolve();
    });
  });
  const client = new EngineClient({
    post: (m) => void child.send(m),
    onMessage: (l) => void child.on('message', (m) => l(m as HostReply)),
  });
  child.on('exit', (code, signal) => client.close(`The engine stopped unexpectedly (${signal ?? `exit code ${code}`}).`));
  await ready;
  return {
    client,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}

/** A window stand-in: records events and drags, and lets a test wait for an event. */
export class RecordingSender implements SenderContext {
  readonly events: AppEvent[] = [];
  readonly drags: string[][] = [];
  private waiters: { test: (e: AppEvent) => boolean; resolve: (e: AppEvent) => void }[] = [];

  emit = (event: AppEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  startDrag = (files: string[]): void => {
    this.drags.push(files);
  };

  waitFor<T extends AppEvent>(test: (e: AppEvent) => e is T): Promise<T>;
  waitFor(test: (e: AppEvent) => boolean): Promise<AppEvent>;
  waitFor(test: (e: AppEvent) => boolean): Promise<AppEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** The end event (done, failed, cancelled) of a job. */
  ended(jobId: string): Promise<AppEvent> {
    return this.waitFor((e) => 'jobId' in e && e.jobId === jobId && e.type !== 'job-progress');
  }
}

/** Dialogs that answer from queues a test fills; an empty queue answers "cancelled". */
export class ScriptedDialogs implements DialogService {
  inputs: (string[] | null)[] = [];
  destinations: (string | null)[] = [];
  archivesToOpen: (string | null)[] = [];
  extractFolders: (string | null)[] = [];
  reportDestinations: (string | null)[] = [];
  readonly asked: { dialog: string; defaultPath?: string }[] = [];

  async chooseInputs() {
    this.asked.push({ dialog: 'inputs' });
    return this.inputs.shift() ?? null;
  }
  async chooseArchiveDestination(defaultPath: string) {
    this.asked.push({ dialog: 'destination', defaultPath });
    return this.destinations.shift() ?? null;
  }
  async chooseArchiveToOpen() {
    this.asked.push({ dialog: 'open' });
    return this.archivesToOpen.shift() ?? null;
  }
  async chooseExtractFolder(defaultPath?: string) {
    this.asked.push(defaultPath === undefined ? { dialog: 'extract' } : { dialog: 'extract', defaultPath });
    return this.extractFolders.shift() ?? null;
  }
  async chooseReportDestination(defaultPath: string) {
    this.asked.push({ dialog: 'report', defaultPath });
    return this.reportDestinations.shift() ?? null;
  }
}
