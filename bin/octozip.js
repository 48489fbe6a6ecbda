#!/usr/bin/env node
// The octozip CLI. Runs the compiled build (dist/, made by `npm run build:engine`, which `npm ci` runs) when every
// engine source file has a compiled file at least as new, since that starts in half the time; otherwise runs
// the TypeScript straight from source through tsx, so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Whether every .ts under dir has a .js under outDir no older than it (tsc leaves unchanged outputs alone). */
function compiledIsCurrent(dir, outDir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const source = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // AssemblyScript sources compile to WebAssembly (scripts/build-wasm.mjs), not to dist/.
      if (entry.name === 'assembly') continue;
      if (!compiledIsCurrent(source, path.join(outDir, entry.name))) return false;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const output = path.join(outDir, entry.name.replace(/\.ts$/, '.js'));
      if (!existsSync(output) || statSync(output).mtimeMs < statSync(source).mtimeMs) return false;
    }
  }
  return true;
}

if (compiledIsCurrent(path.join(root, 'electron'), path.join(root, 'dist/electron'))) {
  await import(pathToFileURL(path.join(root, 'dist/electron/cli.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../electron/cli.ts');
}
