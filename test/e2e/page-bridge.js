// Runs in the page before the app (see bridge.ts): the same OctozipApi shape the preload exposes, over
// Playwright bindings instead of Electron IPC.
(() => {
  const listeners = new Set();
  // Electron gives a dropped File's real path (webUtils.getPathForFile); here the test tells the page which real
  // file on disk each dropped name stands for, just before dropping.
  let dropPaths = {};
  window.__octozipDeliver = (event) => listeners.forEach((listener) => listener(event));
  window.__octozipDrop = (namesToPaths) => {
    dropPaths = namesToPaths;
    const data = new DataTransfer();
    for (const name of Object.keys(namesToPaths)) data.items.add(new File([''], name));
    const target = document.querySelector('main');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  };
  const api = {
    call: (channel, request) => window.__octozipCall(channel, request),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    pathForFile: (file) => dropPaths[file.name] ?? '',
  };
  Object.defineProperty(window, 'octozip', { value: Object.freeze(api) });
})();
