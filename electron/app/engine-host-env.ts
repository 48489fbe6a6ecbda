// The environment main gives the engine host. A packaged app passes an explicit, minimal one: the host loads
// native code (SQLite, ORT), and variables such as OCTOZIP_SQLITE_BINDING (which names the native file to load)
// or NODE_OPTIONS would otherwise let whoever starts the signed app load their own code into it, the very thing
// the disabled RunAsNode and NODE_OPTIONS fuses exist to stop. No Electron import, so tests can check it.

/** What the OS and its libraries need to find the user's folders, temp space and locale; nothing of Octozip's. */
const SYSTEM_VARIABLES = [
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  // Windows: system folders, temp folders and the user's profile; ORT and the C runtime read these.
  'SystemRoot',
  'SYSTEMROOT',
  'windir',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'LOCALAPPDATA',
  'APPDATA',
  'PATH',
  'Path',
] as const;

export interface EngineHostEnvOptions {
  packaged: boolean;
  /** The parent's environment (process.env). */
  parent: NodeJS.ProcessEnv;
  /** Where the model and prior ship; in a packaged app, outside the asar. */
  resourcesDir?: string;
  /** The Electron-ABI SQLite binding `npm start` builds; honoured only in development. */
  devSqliteBinding?: string;
}

export function engineHostEnv(options: EngineHostEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.packaged) {
    for (const name of SYSTEM_VARIABLES) {
      const value = options.parent[name];
      if (value !== undefined) env[name] = value;
    }
  } else {
    // Development: the developer's own switches (OCTOZIP_*) pass through on purpose.
    for (const [name, value] of Object.entries(options.parent)) if (value !== undefined) env[name] = value;
    if (options.devSqliteBinding !== undefined) env.OCTOZIP_SQLITE_BINDING = options.devSqliteBinding;
  }
  if (options.resourcesDir !== undefined) env.OCTOZIP_RESOURCES_DIR = options.resourcesDir;
  return env;
}
