// Electron main: windows, menus, dialogs, OS integration and IPC. It holds no engine and no native module:
// archives are read and written by the engine host (a utilityProcess), so a long job never freezes a window and
// a hostile archive is parsed away from here.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  protocol,
  session,
  shell,
  utilityProcess,
  type UtilityProcess,
  type WebContents,
} from 'electron';
import { CHANNELS, CHANNEL_PREFIX, DROP_CHANNEL, EVENT_CHANNEL, type AppEvent, type HostReply, type HostRequest } from '../contract.ts';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  archivePathFromArgv,
  contentTypeFor,
  isTrustedSender,
  resolveAppFile,
} from './app-origin.ts';
import { EngineClient, type EngineService } from './engine-client.ts';
import { engineHostEnv } from './engine-host-env.ts';
import { createHandlers, type DialogService, type SenderContext } from './handlers.ts';
import { JobRegistry } from './jobs.ts';
import { PathGrants } from './path-grants.ts';
import { invalidRequest } from './user-errors.ts';
import { buildMenuTemplate } from './menu.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const PRELOAD = here('./preload.cjs');
const ENGINE_HOST = here('./engine-host-main.js');
const RENDERER_DIR = join(app.getAppPath(), 'renderer', 'dist');
/** `npm start` runs Electron on the Node-ABI better-sqlite3 of node_modules; scripts/electron-sqlite.mjs builds this one. */
const DEV_SQLITE_BINDING = join(app.getAppPath(), 'build', 'native', 'electron', 'better_sqlite3.node');
const PACKAGED_RESOURCES = app.isPackaged ? join(process.resourcesPath, 'app.asar.unpacked', 'resources') : undefined;

protocol.registerSchemesAsPrivileged([
  // standard + secure: a proper origin for the sender check and a secure context; corsEnabled: Vite's module
  // scripts are fetched in CORS mode (same-origin here, so nothing is opened to other origins).
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
]);

// ---- engine host ----

/** Forwards to the current host; if the host dies, the next request starts a fresh one. */
class RestartingEngine implements EngineService {
  private client: EngineClient | null = null;
  private child: UtilityProcess | null = null;

  request: EngineService['request'] = (method, params, options) => this.current().request(method, params, options);

  private current(): EngineClient {
    if (this.client) return this.client;
    const env = engineHostEnv({
      packaged: app.isPackaged,
      parent: process.env,
      ...(!app.isPackaged && existsSync(DEV_SQLITE_BINDING) ? { devSqliteBinding: DEV_SQLITE_BINDING } : {}),
      // ORT reads the model with native code, which cannot see inside the asar: the model ships unpacked beside it.
      ...(app.isPackaged ? { resourcesDir: PACKAGED_RESOURCES } : {}),
    });
    const child = utilityProcess.fork(ENGINE_HOST, ['--catalog', join(app.getPath('userData'), 'catalog.sqlite')], {
      serviceName: 'Octozip engine',
      env,
      stdio: 'inherit',
    });
    const client = new EngineClient({
      post: (message: HostRequest) => child.postMessage(message),
      onMessage: (listener: (message: HostReply) => void) => void child.on('message', listener),
    });
    child.on('exit', (code) => {
      client.close(`The engine stopped unexpectedly (exit code ${code}).`);
      if (this.client === client) {
        this.client = null;
        this.child = null;
      }
    });
    this.client = client;
    this.child = child;
    return client;
  }

  stop(): void {
    this.child?.kill();
  }
}

const engine = new RestartingEngine();
const jobs = new JobRegistry();
/** Every path the user chose in this run; handlers act on nothing else. */
const grants = new PathGrants(process.platform);

// ---- dialogs and handlers ----

function focusedWindow(): BrowserWindow | undefined {
  return BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
}

async function showOpen(options: Electron.OpenDialogOptions): Promise<string[] | null> {
  const win = focusedWindow();
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled || result.filePaths.length === 0 ? null : result.filePaths;
}

async function showSave(options: Electron.SaveDialogOptions): Promise<string | null> {
  const win = focusedWindow();
  const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}

const ARCHIVE_FILTER = [{ name: 'Octozip archives', extensions: ['octz'] }];

const dialogs: DialogService = {
  // Linux and Windows cannot pick files and folders in one dialog; files are the common case there.
  chooseInputs: () =>
    showOpen({
      title: 'Choose files to archive',
      properties: process.platform === 'darwin' ? ['openFile', 'openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
    }),
  // Linux asks before replacing only when told to; macOS and Windows always ask.
  chooseArchiveDestination: (defaultPath) =>
    showSave({ title: 'Save archive as', ...(defaultPath ? { defaultPath } : {}), filters: ARCHIVE_FILTER, properties: ['showOverwriteConfirmation'] }),
  chooseArchiveToOpen: async () => (await showOpen({ title: 'Open archive', filters: ARCHIVE_FILTER, properties: ['openFile'] }))?.[0] ?? null,
  chooseExtractFolder: async (defaultPath) =>
    (await showOpen({ title: 'Extract to folder', properties: ['openDirectory', 'createDirectory'], ...(defaultPath ? { defaultPath } : {}) }))?.[0] ?? null,
  chooseReportDestination: (defaultPath) =>
    showSave({
      title: 'Save verify report',
      ...(defaultPath ? { defaultPath } : {}),
      filters: [{ name: 'Text', extensions: ['txt'] }],
      properties: ['showOverwriteConfirmation'],
    }),
};

const handlers = createHandlers({
  engine,
  dialogs,
  jobs,
  grants,
  shell: { revealInFolder: (p) => shell.showItemInFolder(p) },
  dragRoot: join(app.getPath('userData'), 'drag-out'),
  hiddenFolders: [
    { folder: app.getPath('userData'), label: 'Octozip’s data folder' },
    ...(PACKAGED_RESOURCES ? [{ folder: process.resourcesPath, label: 'Octozip’s installation' }] : []),
  ],
  onRecentChanged: () => void refreshMenu(),
  log: (message) => console.warn(message),
});

function senderContext(contents: WebContents): SenderContext {
  return {
    emit: (event: AppEvent) => {
      if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
    },
    startDrag: (files) => {
      if (files.length === 0 || contents.isDestroyed()) return;
      void app.getFileIcon(files[0]!, { size: 'normal' }).then((icon) => {
        if (!contents.isDestroyed()) contents.startDrag({ file: files[0]!, files, icon });
      });
    },
  };
}

const windows = new Set<BrowserWindow>();

function fromOwnPage(event: Electron.IpcMainEvent | Electron.IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  const win = BrowserWindow.fromWebContents(event.sender);
  return isTrustedSender({
    frameUrl: frame?.url ?? null,
    isMainFrame: frame !== null && frame.parent === null,
    ownWindow: win !== null && windows.has(win),
  });
}

function registerIpc(): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(CHANNEL_PREFIX + channel, (event, request: unknown) => {
      if (!fromOwnPage(event)) {
        return { ok: false, error: invalidRequest() };
      }
      return handlers.handle(channel, request, senderContext(event.sender));
    });
  }
  // Sent by the preload alone, from a trusted drop event, with paths Electron read off the dropped File objects.
  ipcMain.on(DROP_CHANNEL, (event, paths: unknown) => {
    if (fromOwnPage(event)) handlers.registerDrop(paths);
  });
}

// ---- windows, OS integration ----

function sendToWindow(event: AppEvent): void {
  const win = focusedWindow() ?? createWindow();
  const deliver = () => win.webContents.send(EVENT_CHANNEL, event);
  if (win.webContents.isLoading()) win.webContents.once('did-finish-load', deliver);
  else deliver();
  if (win.isMinimized()) win.restore();
  win.focus();
}

/** The OS opened an archive with the app: that is the user's choice, so it is granted before the page hears of it. */
function openArchiveFromOs(requested: string): void {
  let archivePath: string;
  try {
    archivePath = grants.grant(requested, 'read-archive');
  } catch (err) {
    console.warn(`Not opening ${requested}: ${String(err)}`);
    return;
  }
  if (app.isReady()) sendToWindow({ type: 'open-archive', archivePath });
  else pendingOpen = archivePath;
}

let pendingOpen: string | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 560,
    minHeight: 420,
    show: false,
    title: 'Octozip',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#f6f7f9',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

async function refreshMenu(): Promise<void> {
  let recent: string[] = [];
  try {
    recent = await handlers.recentArchivePaths();
  } catch {
    // The menu still works without its recent list.
  }
  const template = buildMenuTemplate(
    process.platform,
    recent,
    {
      command: (command) => sendToWindow({ type: 'menu', command }),
      openRecent: (path) => sendToWindow({ type: 'open-archive', archivePath: path }),
    },
    { devTools: !app.isPackaged },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  if (process.platform === 'darwin') {
    app.clearRecentDocuments();
    for (const p of recent.slice(0, 10)) app.addRecentDocument(p);
  }
}

function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    // The app is one page: nothing may navigate away, open windows or embed other content.
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

async function serveRenderer(request: Request): Promise<Response> {
  const file = resolveAppFile(RENDERER_DIR, request.url);
  if (file === null) return new Response('Not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: { 'content-type': contentTypeFor(file), 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  hardenWebContents();
  const fromArgv = archivePathFromArgv(process.argv, process.cwd());
  if (fromArgv) openArchiveFromOs(fromArgv);
  // A relative path on the second instance's command line is relative to where that instance was started.
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const archivePath = archivePathFromArgv(argv, workingDirectory);
    if (archivePath) openArchiveFromOs(archivePath);
    else focusedWindow()?.focus();
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openArchiveFromOs(path);
  });

  void app.whenReady().then(async () => {
    // No remote content: deny every permission and every request that is not our own scheme.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    session.defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_d, callback) =>
      callback({ cancel: true }),
    );
    protocol.handle(APP_SCHEME, serveRenderer);
    registerIpc();
    // Drag folders a crash or kill left behind hold extracted (possibly decrypted) files: remove them now.
    void handlers.sweepDragFolders().catch((err: unknown) => console.warn(`Could not sweep old drag folders: ${String(err)}`));
    await refreshMenu();
    const win = createWindow();
    if (pendingOpen) {
      const archivePath = pendingOpen;
      pendingOpen = null;
      win.webContents.once('did-finish-load', () => win.webContents.send(EVENT_CHANNEL, { type: 'open-archive', archivePath } satisfies AppEvent));
    }
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    // Cancel running jobs first: the engine removes its temp files on cancel, so quitting leaves nothing behind.
    void jobs
      .cancelAll()
      .then(() => Promise.all(handlers.dragFolders.map((f) => rm(f, { recursive: true, force: true }))))
      .finally(() => {
        cleanedUp = true;
        engine.stop();
        app.quit();
      });
  });
}
