// Bundles the preload into one CommonJS file: a sandboxed preload cannot import modules, only `electron`.
// Usage: node scripts/build-preload.mjs   (writes dist/electron/app/preload.cjs)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildPreload(outfile = `${root}dist/electron/app/preload.cjs`) {
  await build({
    entryPoints: [`${root}electron/app/preload.ts`],
    outfile,
    bundle: true,
    format: 'cjs',
    // The sandbox gives a preload a browser-like environment plus require('electron') and nothing else.
    platform: 'browser',
    target: 'chrome130',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildPreload();
}
