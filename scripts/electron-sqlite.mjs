// Gets a better-sqlite3 binary built for Electron's ABI, for `npm start`. better-sqlite3 is not N-API, so the
// Node build in node_modules (used by the CLI and tests) cannot load in Electron. This puts a second build in
// build/native/electron/better_sqlite3.node (git-ignored); main points the engine host at it through
// OCTOZIP_SQLITE_BINDING. Packaged apps do not need it: electron-builder rebuilds node_modules for Electron.
// Tries the prebuilt binary first (prebuild-install --runtime electron), then compiles with node-gyp.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'build', 'native', 'electron');
const outFile = join(outDir, 'better_sqlite3.node');
const stampFile = join(outDir, 'stamp.json');

const electronVersion = require('electron/package.json').version;
const sqlitePackage = join(root, 'node_modules', 'better-sqlite3');
const stamp = {
  electron: electronVersion,
  betterSqlite3: JSON.parse(readFileSync(join(sqlitePackage, 'package.json'), 'utf8')).version,
  platform: process.platform,
  arch: process.arch,
};

if (existsSync(outFile) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === JSON.stringify(stamp)) {
  console.log(`better-sqlite3 for Electron ${electronVersion} is up to date: ${outFile}`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'octozip-electron-sqlite-'));
const pkg = join(work, 'better-sqlite3');
try {
  // Work on a copy so node_modules keeps its Node build.
  cpSync(sqlitePackage, pkg, { recursive: true, filter: (src) => !src.startsWith(join(sqlitePackage, 'build')) });
  const run = (script, args) => execFileSync(process.execPath, [script, ...args], { cwd: pkg, stdio: 'inherit' });
  try {
    run(require.resolve('prebuild-install/bin.js'), ['--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`, `--platform=${process.platform}`]);
  } catch {
    console.log('No prebuilt binary; compiling better-sqlite3 against Electron headers (needs a C++ toolchain).');
    run(require.resolve('node-gyp/bin/node-gyp.js'), ['rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers']);
  }
  mkdirSync(outDir, { recursive: true });
  cpSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'), outFile);
  writeFileSync(stampFile, JSON.stringify(stamp));
  console.log(`Wrote ${outFile}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
