// Entry of the engine host process. In the app it runs as an Electron utilityProcess and talks through
// process.parentPort; under plain Node (tests) it is a child_process.fork child and talks through process.send.
// Usage: engine-host-main --catalog <catalog.sqlite>
import * as engine from '../engine/index.ts';
import type { HostReply, HostRequest } from '../contract.ts';
import { Catalog } from './catalog.ts';
import { serveEngine } from './engine-host.ts';
import { childProcessEndpoint, type MessageEndpoint } from './message-endpoint.ts';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function endpoint(): MessageEndpoint<HostRequest, HostReply> {
  const parentPort = (process as { parentPort?: Electron.ParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (message) => parentPort.postMessage(message),
      onMessage: (listener) => void parentPort.on('message', (event) => listener(event.data as HostRequest)),
    };
  }
  return childProcessEndpoint<HostRequest, HostReply>(process);
}

const catalogPath = argValue('--catalog');
if (!catalogPath) {
  console.error('engine-host-main: --catalog <path> is required');
  process.exit(2);
}

serveEngine(endpoint(), { engine, catalog: new Catalog(catalogPath) });
