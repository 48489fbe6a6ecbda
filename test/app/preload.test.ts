// The real preload bundle (scripts/build-preload.mjs output) in Debian's Chromium. Electron cannot run here, so
// its `electron` module is stood in for by a recorder (contextBridge, ipcRenderer, webUtils), and the bundle runs
// in the page's own world rather than an isolated one. What is real: the bundle, Chromium's DOM events, and a
// trusted OS-style file drop made through the DevTools protocol. What is not: context isolation itself, and
// Electron's webUtils.getPathForFile (the stand-in gives every File a path, the worst case for the preload).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, CHANNEL_PREFIX, DROP_CHANNEL } from '../../electron/contract.ts';

const ORIGIN = 'http://preload.test';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The stand-in `electron` module: records every message the preload sends, and answers invokes with a Result.
const ELECTRON_STAND_IN = `
  window.__ipcLog = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key, api) => Object.defineProperty(window, key, { value: Object.freeze({ ...api }) }) },
    ipcRenderer: {
      invoke: (channel, request) => (window.__ipcLog.push(['invoke', channel, request]), Promise.resolve({ ok: true, value: null })),
      send: (channel, payload) => void window.__ipcLog.push(['send', channel, payload]),
      on: (channel) => void window.__ipcLog.push(['on', channel]),
      removeListener: (channel) => void window.__ipcLog.push(['removeListener', channel]),
    },
    webUtils: { getPathForFile: (file) => '/dropped/' + file.name },
  };
  const __require = (name) => {
    if (name !== 'electron') throw new Error('the preload required ' + name);
    return electron;
  };
`;

// The page, as App.svelte handles drops: a bubbling window listener that asks for each file's path and calls main.
const PAGE = `<!doctype html><html><body><main style="width:100vw;height:100vh">drop here</main><script>
  addEventListener('dragover', (e) => e.preventDefault());
  addEventListener('drop', (e) => {
    e.preventDefault();
    const paths = [...e.dataTransfer.files].map((f) => window.octozip.pathForFile(f));
    void window.octozip.call('suggestArchivePath', { inputs: paths });
  });
</script></body></html>`;

type IpcLog = [string, string, unknown?][];

let work: string;
let browser: Browser;
let page: Page;

const ipcLog = () => page.evaluate(() => (globalThis as unknown as { __ipcLog: IpcLog }).__ipcLog.splice(0));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'octozip-preload-'));
  const { buildPreload } = await import('../../scripts/build-preload.mjs');
  const bundle = readFileSync(await buildPreload(join(work, 'preload.cjs')), 'utf8');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  await context.route('**/*', (route) =>
    new URL(route.request().url()).origin === ORIGIN ? route.fulfill({ status: 200, contentType: 'text/html', body: PAGE }) : route.abort(),
  );
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // The preload runs before any page script, as Electron runs it.
  await page.addInitScript({ content: `${ELECTRON_STAND_IN}\n(function (require) {\n${bundle}\n})(__require);` });
  await page.goto(`${ORIGIN}/index.html`);
});

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('preload (real bundle in Chromium, electron stood in for)', () => {
  it('exposes only window.octozip, with call, onEvent and pathForFile', async () => {
    const shape = await page.evaluate(() => {
      const api = (globalThis as unknown as { octozip: Record<string, unknown> }).octozip;
      return { keys: Object.keys(api).sort(), frozen: Object.isFrozen(api) };
    });
    expect(shape).toEqual({ keys: ['call', 'onEvent', 'pathForFile'], frozen: true });
    // Subscribing listens on the one event channel only.
    await page.evaluate(() => (globalThis as unknown as { octozip: { onEvent(l: () => void): () => void } }).octozip.onEvent(() => {})());
    expect(await ipcLog()).toEqual([
      ['on', 'octozip:event'],
      ['removeListener', 'octozip:event'],
    ]);
  });

  it('invokes exactly the contract channels, and refuses every other name without sending anything', async () => {
    const results = await page.evaluate(async (names) => {
      const api = (globalThis as unknown as { octozip: { call(c: string, r: unknown): Promise<unknown> } }).octozip;
      const out: [string, string][] = [];
      for (const name of names) {
        try {
          await api.call(name, {});
          out.push([name, 'sent']);
        } catch {
          out.push([name, 'refused']);
        }
      }
      return out;
    }, [...CHANNELS, 'dropped', 'event', 'octozip:openArchive', '__proto__', 'constructor', 'toString', 'deleteEverything']);
    const sent = results.filter(([, r]) => r === 'sent').map(([n]) => n);
    expect(sent).toEqual([...CHANNELS]);
    expect(await ipcLog()).toEqual(CHANNELS.map((c) => ['invoke', CHANNEL_PREFIX + c, {}]));
  });

  it('registers nothing for a drop that page script dispatches, even of files the stand-in gives a path', async () => {
    // A string, since this file is type-checked without the DOM library.
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['x'], 'id_ed25519'));
      const target = document.querySelector('main');
      for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
    // The page's own handler still ran (and its request goes to main, which refuses the unchosen path there).
    const log = await ipcLog();
    expect(log.filter(([kind]) => kind === 'send')).toEqual([]);
    expect(log).toEqual([['invoke', 'octozip:suggestArchivePath', { inputs: ['/dropped/id_ed25519'] }]]);
  });

  it('reports a trusted drop of real files to main before the page’s own request', async () => {
    const files = ['report.txt', 'photos.tar'].map((name) => {
      const p = join(work, name);
      writeFileSync(p, name);
      return p;
    });
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x: 100, y: 100, data });
    }
    await expect.poll(async () => (await page.evaluate(() => (globalThis as unknown as { __ipcLog: IpcLog }).__ipcLog.length))).toBe(2);
    expect(await ipcLog()).toEqual([
      ['send', DROP_CHANNEL, ['/dropped/report.txt', '/dropped/photos.tar']],
      ['invoke', 'octozip:suggestArchivePath', { inputs: ['/dropped/report.txt', '/dropped/photos.tar'] }],
    ]);
  });
});
