// The e2e test bridge: the built renderer in Debian's Chromium, with `window.octozip` wired to the same
// handlers main uses, over the real engine host in a child process. Where Electron's preload calls
// ipcRenderer.invoke, the bridge calls a Playwright binding; where main calls webContents.send, the bridge
// evaluates a dispatch in the page. Dialogs are the only scripted part (a test cannot click a native dialog); a
// drop registers its paths with the handlers as the real preload does, then dispatches the drop in the page.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AppEvent } from '../../electron/contract.ts';
import { CONTENT_SECURITY_POLICY, contentTypeFor } from '../../electron/app/app-origin.ts';
import { createHandlers, type Handlers, type SenderContext } from '../../electron/app/handlers.ts';
import { JobRegistry } from '../../electron/app/jobs.ts';
import { PathGrants } from '../../electron/app/path-grants.ts';
import { forkEngineHost, ScriptedDialogs } from '../app/helpers.ts';

export const RENDERER_DIST = fileURLToPath(new URL('../../renderer/dist/', import.meta.url));
const ORIGIN = 'http://octozip.test';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const PAGE_BRIDGE = fileURLToPath(new URL('./page-bridge.js', import.meta.url));

/** What page-bridge.js adds to the page's global object. */
interface PageBridge {
  __octozipDeliver(event: unknown): void;
  __octozipDrop(namesToPaths: Record<string, string>): void;
}

export interface TestApp {
  page: Page;
  dialogs: ScriptedDialogs;
  handlers: Handlers;
  drags: string[][];
  revealed: string[];
  /** Console errors and page errors (a CSP violation shows up here). */
  pageErrors: string[];
  /** Drops real files or folders on the window, as a user dragging them from a file manager. */
  drop(paths: string[]): Promise<void>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchApp(workDir: string, options: { screenshotsDir: string }): Promise<TestApp> {
  const host = await forkEngineHost(join(workDir, 'catalog.sqlite'));
  const dialogs = new ScriptedDialogs();
  const drags: string[][] = [];
  const revealed: string[] = [];
  const handlers = createHandlers({
    engine: host.client,
    dialogs,
    jobs: new JobRegistry(),
    shell: { revealInFolder: (p) => revealed.push(p) },
    grants: new PathGrants(),
    dragRoot: join(workDir, 'drag-out'),
  });

  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1000, height: 660 }, colorScheme: 'light', reducedMotion: 'reduce' });
    // No network: every request is answered from renderer/dist or refused.
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) return route.abort('blockedbyclient');
      const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      const file = join(RENDERER_DIST, rel);
      if (!file.startsWith(RENDERER_DIST)) return route.fulfill({ status: 404 });
      try {
        const body = await readFile(file);
        return route.fulfill({ status: 200, body, headers: { 'content-type': contentTypeFor(file), 'content-security-policy': CONTENT_SECURITY_POLICY } });
      } catch {
        return route.fulfill({ status: 404 });
      }
    });
    const page = await context.newPage();
    // Fail fast: on two shared cores a healthy step takes well under this.
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));

    const sender: SenderContext = {
      emit: (event: AppEvent) => {
        // The page may be closing at the end of a test; an event it cannot take is simply dropped, as in Electron.
        void page.evaluate((e) => (globalThis as unknown as PageBridge).__octozipDeliver(e), event).catch(() => {});
      },
      startDrag: (files) => void drags.push(files),
    };
    await page.exposeBinding('__octozipCall', (_source, channel: string, request: unknown) => handlers.handle(channel, request, sender));
    await page.addInitScript({ path: PAGE_BRIDGE });
    await page.goto(`${ORIGIN}/index.html`);

    const openBrowser = browser;
    return {
      page,
      dialogs,
      handlers,
      drags,
      revealed,
      pageErrors,
      async drop(paths) {
        // What the preload does on a real drop (test/app/preload.test.ts holds it to that): report the paths first.
        handlers.registerDrop(paths);
        const byName = Object.fromEntries(paths.map((p) => [p.split('/').at(-1)!, p]));
        await page.evaluate((names) => (globalThis as unknown as PageBridge).__octozipDrop(names), byName);
      },
      async screenshot(name) {
        await page.screenshot({ path: join(options.screenshotsDir, `${name}.png`), animations: 'disabled', caret: 'initial' });
      },
      async close() {
        await openBrowser.close();
        await host.stop();
      },
    };
  } catch (err) {
    await browser?.close();
    await host.stop();
    throw err;
  }
}
