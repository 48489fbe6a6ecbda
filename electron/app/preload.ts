// The sandboxed preload: exposes `window.octozip` (OctozipApi) and nothing else. It is bundled into one
// CommonJS file (scripts/build-preload.mjs) because a sandboxed preload cannot import modules.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CHANNELS, CHANNEL_PREFIX, EVENT_CHANNEL, type AppEvent, type Channel, type OctozipApi } from '../contract.ts';

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
