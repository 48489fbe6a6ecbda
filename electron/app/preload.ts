// The sandboxed preload: exposes `window.octozip` (OctozipApi) and nothing else, and tells main which files the
// user really dropped. It is bundled into one CommonJS file (scripts/build-preload.mjs) because a sandboxed
// preload cannot import modules.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CHANNELS, CHANNEL_PREFIX, DROP_CHANNEL, EVENT_CHANNEL, type AppEvent, type Channel, type OctozipApi } from '../contract.ts';

const allowed = new Set<string>(CHANNELS);

const api: OctozipApi = {
  call(channel, request) {
    // Only contract channels leave the page; main validates the request itself.
    if (!allowed.has(channel)) return Promise.reject(new Error(`Unknown channel ${String(channel)}`));
    return ipcRenderer.invoke(CHANNEL_PREFIX + (channel as Channel), request);
  },
  onEvent(listener) {
    // Never hand the IpcRendererEvent (and its `sender`) to the page: only the payload crosses.
    const wrapped = (_event: IpcRendererEvent, payload: AppEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
  pathForFile(file) {
    return webUtils.getPathForFile(file);
  },
};

contextBridge.exposeInMainWorld('octozip', api);

/** The slice of a DOM DragEvent this file reads (the preload is type-checked without the DOM library). */
interface DropEvent {
  readonly isTrusted: boolean;
  readonly dataTransfer: { readonly files: ArrayLike<File> } | null;
}

// Main grants a dropped path only when this listener reports it. It runs in the preload's isolated world, in
// the capture phase on the window, so before any page listener: the page's request that follows a drop finds
// the grant already made (both messages travel one ordered pipe). A page script can dispatch a drop of its own,
// but that event is not trusted, and a File it builds has no path, so neither registers anything.
(globalThis as unknown as { addEventListener(type: 'drop', listener: (event: DropEvent) => void, options: { capture: true }): void }).addEventListener(
  'drop',
  (event) => {
    if (!event.isTrusted || event.dataTransfer === null) return;
    const paths = Array.from(event.dataTransfer.files, (file) => webUtils.getPathForFile(file)).filter((p) => p !== '');
    if (paths.length > 0) ipcRenderer.send(DROP_CHANNEL, paths);
  },
  { capture: true },
);
