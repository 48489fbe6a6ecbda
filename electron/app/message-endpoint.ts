// The engine host talks to main through whatever pipe the platform gives: Electron's utilityProcess parentPort
// in the app, a child_process IPC channel in tests. Both sides only need "post" and "listen".

export interface MessageEndpoint<Incoming, Outgoing> {
  post(message: Outgoing): void;
  onMessage(listener: (message: Incoming) => void): void;
}

/** The endpoint of a Node child process (child_process.fork) seen from inside the child. */
export function childProcessEndpoint<Incoming, Outgoing>(proc: NodeJS.Process): MessageEndpoint<Incoming, Outgoing> {
  if (!proc.send) throw new Error('This process was not started with an IPC channel.');
  const send = proc.send.bind(proc);
  return {
    post: (message) => void send(message),
    onMessage: (listener) => void proc.on('message', (message) => listener(message as Incoming)),
  };
}
