// Builds the renderer into renderer/dist, loaded by Electron through the app:// scheme and by the e2e tests.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the page works from any origin (app://octozip in Electron, a test origin in Chromium).
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome130',
    // The strict CSP allows no inline script; keep every asset a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
