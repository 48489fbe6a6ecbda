// Electron cannot run here, so main.ts is loaded under Node with a stand-in for the `electron` module that
// records what main asks of it. The engine host it forks is the real one (a child process), so the IPC path
// from a window's request to the engine is exercised end to end; only Electron itself is stood in for.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { CHANNELS, CHANNEL_PREFIX, DROP_CHANNEL, type Result } from '../../electron/contract.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const userData = mkdtempSync(join(tmpdir(), 'octozip-main-'));

interface FakeWebContents extends EventEmitter {
  sent: unknown[][];
  windowOpenHandler?: () => { action: string };
  setWindowOpenHandler(h: () => { action: string }): void;
  send(...args: unknown[]): void;
  isDestroyed(): boolean;
  isLoading(): boolean;
}

function fakeWebContents(): FakeWebContents {
  const wc = new EventEmitter() as FakeWebContents;
  wc.sent = [];
  wc.setWindowOpenHandler = (h) => void (wc.windowOpenHandler = h);
  wc.send = (...args) => void wc.sent.push(args);
  wc.isDestroyed = () => false;
  wc.isLoading = () => false;
  return wc;
}

const recorded = vi.hoisted(() => ({
  schemes: [] as unknown[],
  protocolHandlers: new Map<string, (req: { url: string }) => Promise<Response>>(),
  ipc: new Map<string, (event: unknown, request: unknown) => unknown>(),
  ipcOn: new Map<string, (event: unknown, payload: unknown) => void>(),
  windows: [] as { options: Record<string, unknown>; url?: string; webContents: unknown }[],
  appEvents: new Map<string, ((...args: unknown[]) => void)[]>(),
  permissionRequest: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
  permissionCheck: null as null | (() => boolean),
  blockedFilter: null as null | { urls: string[] },
  forks: [] as ChildProcess[],
  saveDialogs: [] as Record<string, unknown>[],
  menus: 0,
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    getAppPath: () => root,
    getPath: () => userData,
    isReady: () => true,
    whenReady: () => Promise.resolve(),
    requestSingleInstanceLock: () => true,
    quit: () => {},
    clearRecentDocuments: () => {},
    addRecentDocument: () => {},
    getFileIcon: async () => ({}),
  });
  const origOn = app.on.bind(app);
  app.on = ((name: string, fn: (...args: unknown[]) => void) => {
    recorded.appEvents.set(name, [...(recorded.appEvents.get(name) ?? []), fn]);
    return origOn(name, fn);
  }) as typeof app.on;
  class BrowserWindow extends Emitter {
    static all: BrowserWindow[] = [];
    webContents = fakeWebContents();
    constructor(options: Record<string, unknown>) {
      super();
      recorded.windows.push({ options, webContents: this.webContents });
      BrowserWindow.all.push(this);
      for (const fn of recorded.appEvents.get('web-contents-created') ?? []) fn({}, this.webContents);
    }
    static getFocusedWindow() {
      return BrowserWindow.all[0] ?? null;
    }
    static getAllWindows() {
      return BrowserWindow.all;
    }
    static fromWebContents(wc: unknown) {
      return BrowserWindow.all.find((w) => w.webContents === wc) ?? null;
    }
    loadURL(url: string) {
      recorded.windows.at(-1)!.url = url;
      return Promise.resolve();
    }
    isMinimized() {
      return false;
    }
    focus() {}
  }
  const utilityProcess = {
    fork(modulePath: string, args: string[], options: { env: Record<string, string> }) {
      // main forks the compiled host (dist/...js); from source, run the .ts beside it through tsx.
      const entry = existsSync(modulePath) ? modulePath : modulePath.replace(/\.js$/, '.ts');
      const child = fork(entry, args, { execArgv: ['--import', 'tsx'], env: options.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      recorded.forks.push(child);
      return Object.assign(new Emitter(), {
        postMessage: (m: unknown) => child.send(m as object),
        kill: () => child.kill(),
        on(this: InstanceType<typeof Emitter>, name: string, fn: (...a: unknown[]) => void) {
          if (name === 'message') child.on('message', fn);
          else if (name === 'exit') child.on('exit', (code) => fn(code));
          return this;
        },
      });
    },
  };
  return {
    app,
    BrowserWindow,
    utilityProcess,
    dialog: {
      showSaveDialog: async (_win: unknown, options: Record<string, unknown>) => {
        recorded.saveDialogs.push(options);
        return { canceled: true };
      },
    },
    shell: { showItemInFolder: () => {} },
    nativeTheme: { shouldUseDarkColors: false },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => void recorded.menus++ },
    ipcMain: {
      handle: (channel: string, fn: (e: unknown, r: unknown) => unknown) => void recorded.ipc.set(channel, fn),
      on: (channel: string, fn: (e: unknown, p: unknown) => void) => void recorded.ipcOn.set(channel, fn),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void recorded.schemes.push(...s),
      handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) => void recorded.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: typeof recorded.permissionRequest) => void (recorded.permissionRequest = fn),
        setPermissionCheckHandler: (fn: typeof recorded.permissionCheck) => void (recorded.permissionCheck = fn),
        webRequest: { onBeforeRequest: (filter: { urls: string[] }) => void (recorded.blockedFilter = filter) },
      },
    },
  };
});

beforeAll(async () => {
  await import('../../electron/app/main.ts');
  await vi.waitFor(() => expect(recorded.windows).toHaveLength(1), { timeout: 20_000 });
});

afterAll(async () => {
  for (const child of recorded.forks) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    }
  }
  rmSync(userData, { recursive: true, force: true });
});

function ipcEvent(url: string | null, opts: { subframe?: boolean; foreign?: boolean } = {}) {
  const own = recorded.windows[0]!.webContents;
  return {
    sender: opts.foreign ? fakeWebContents() : own,
    senderFrame: url === null ? null : { url, parent: opts.subframe ? {} : null },
  };
}

describe('main process (Electron stood in for, real engine host)', () => {
  it('opens one hardened window on the app:// origin', () => {
    const { options, url } = recorded.windows[0]!;
    expect(url).toBe('app://octozip/index.html');
    expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((options.webPreferences as { preload: string }).preload)).toMatch(/preload\.cjs$/);
    expect(recorded.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
  });

  it('blocks navigation, new windows, permissions and network requests', () => {
    const wc = recorded.windows[0]!.webContents as FakeWebContents;
    let prevented = 0;
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) wc.emit(name, { preventDefault: () => prevented++ });
    expect(prevented).toBe(3);
    expect(wc.windowOpenHandler?.()).toEqual({ action: 'deny' });
    let granted: boolean | null = null;
    recorded.permissionRequest!({}, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(recorded.permissionCheck!()).toBe(false);
    expect(recorded.blockedFilter!.urls).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*']));
  });

  it('registers exactly the contract channels', () => {
    expect([...recorded.ipc.keys()].sort()).toEqual(CHANNELS.map((c) => CHANNEL_PREFIX + c).sort());
  });

  it('answers its own window through the real engine host, and refuses other senders', async () => {
    const call = (event: unknown, request: unknown) => recorded.ipc.get(`${CHANNEL_PREFIX}recentArchives`)!(event, request) as Promise<Result<unknown>>;
    expect(await call(ipcEvent('app://octozip/index.html'), {})).toEqual({ ok: true, value: [] });
    for (const event of [ipcEvent('https://evil.example/'), ipcEvent('app://octozip/index.html', { subframe: true }), ipcEvent('app://octozip/index.html', { foreign: true }), ipcEvent(null)]) {
      const result = await call(event, {});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('invalid-request');
    }
    expect(recorded.menus).toBeGreaterThan(0);
  });

  it('grants a dropped path only when its own page reports the drop', async () => {
    const open = (archivePath: string) =>
      recorded.ipc.get(`${CHANNEL_PREFIX}openArchive`)!(ipcEvent('app://octozip/index.html'), { archivePath }) as Promise<Result<unknown>>;
    const fromForeign = join(userData, 'foreign.octz');
    const fromOwn = join(userData, 'dropped.octz');
    for (const p of [fromForeign, fromOwn]) writeFileSync(p, 'not an archive');
    expect([...recorded.ipcOn.keys()]).toEqual([DROP_CHANNEL]);
    const dropped = recorded.ipcOn.get(DROP_CHANNEL)!;
    dropped(ipcEvent('app://octozip/index.html', { foreign: true }), [fromForeign]);
    dropped(ipcEvent('https://evil.example/'), [fromForeign]);
    dropped(ipcEvent('app://octozip/index.html'), [fromOwn]);
    const refused = await open(fromForeign);
    expect(!refused.ok && refused.error.code).toBe('path-refused');
    // Granted: it reaches the real engine, which reads it and says what it is.
    const opened = await open(fromOwn);
    expect(!opened.ok && opened.error.code).toBe('not-an-archive');
  });

  it('asks before replacing in every save dialog (Linux does not unless told)', async () => {
    const call = (channel: string, request: unknown) => recorded.ipc.get(CHANNEL_PREFIX + channel)!(ipcEvent('app://octozip/index.html'), request) as Promise<Result<unknown>>;
    expect(await call('chooseArchiveDestination', { defaultPath: join(userData, 'dropped.octz') })).toEqual({ ok: true, value: null });
    expect(await call('saveVerifyReport', { archivePath: join(userData, 'dropped.octz'), text: 'report' })).toEqual({ ok: true, value: null });
    expect(recorded.saveDialogs).toHaveLength(2);
    for (const options of recorded.saveDialogs) expect(options.properties).toContain('showOverwriteConfirmation');
  });

  it('opens an archive named by a second instance, resolved against that instance’s working directory', async () => {
    const wc = recorded.windows[0]!.webContents as FakeWebContents;
    const sentBefore = wc.sent.length;
    writeFileSync(join(userData, 'second.octz'), 'not an archive');
    for (const fn of recorded.appEvents.get('second-instance')!) fn({}, ['/opt/octozip/octozip', 'second.octz'], userData);
    expect(wc.sent.slice(sentBefore)).toEqual([['octozip:event', { type: 'open-archive', archivePath: join(userData, 'second.octz') }]]);
    const opened = (await recorded.ipc.get(`${CHANNEL_PREFIX}openArchive`)!(ipcEvent('app://octozip/index.html'), {
      archivePath: join(userData, 'second.octz'),
    })) as Result<unknown>;
    expect(!opened.ok && opened.error.code).toBe('not-an-archive');
  });

  it('serves the built renderer with the CSP header, and nothing outside it', async () => {
    const serve = recorded.protocolHandlers.get('app')!;
    const page = await serve({ url: 'app://octozip/index.html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<div id="app">');
    expect((await serve({ url: 'app://octozip/../../package.json' })).status).toBe(404);
    expect((await serve({ url: 'app://elsewhere/index.html' })).status).toBe(404);
  });
});
