// The engine host's environment: a packaged app hands it an explicit, minimal one, so no variable set by whoever
// starts the app can name native code for it to load.
import { describe, expect, it } from 'vitest';
import { engineHostEnv } from '../../electron/app/engine-host-env.ts';

const parent = {
  HOME: '/home/u',
  LANG: 'de_DE.UTF-8',
  PATH: '/usr/bin',
  OCTOZIP_SQLITE_BINDING: '/tmp/evil.node',
  OCTOZIP_RESOURCES_DIR: '/tmp/evil-resources',
  NODE_OPTIONS: '--require /tmp/evil.js',
  LD_PRELOAD: '/tmp/evil.so',
  ELECTRON_RUN_AS_NODE: '1',
};

describe('engine host environment', () => {
  it('packaged: only system variables pass, and the resources folder is main’s own', () => {
    const env = engineHostEnv({ packaged: true, parent, resourcesDir: '/opt/Octozip/resources/app.asar.unpacked/resources', devSqliteBinding: '/dev.node' });
    expect(env).toEqual({ HOME: '/home/u', LANG: 'de_DE.UTF-8', PATH: '/usr/bin', OCTOZIP_RESOURCES_DIR: '/opt/Octozip/resources/app.asar.unpacked/resources' });
  });

  it('packaged without a resources folder: no OCTOZIP_ variable at all', () => {
    const env = engineHostEnv({ packaged: true, parent });
    expect(Object.keys(env).filter((k) => k.startsWith('OCTOZIP_') || k.startsWith('NODE_') || k.startsWith('LD_') || k.startsWith('ELECTRON_'))).toEqual([]);
  });

  it('development: the developer’s switches pass, and `npm start` adds its Electron-ABI SQLite build', () => {
    const env = engineHostEnv({ packaged: false, parent: { HOME: '/home/u', OCTOZIP_PASSWORD: 'x' }, devSqliteBinding: '/repo/build/native/electron/better_sqlite3.node' });
    expect(env).toEqual({ HOME: '/home/u', OCTOZIP_PASSWORD: 'x', OCTOZIP_SQLITE_BINDING: '/repo/build/native/electron/better_sqlite3.node' });
  });
});
