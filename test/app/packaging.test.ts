// Packaging cannot run here (no Electron binary), so its configuration is checked instead: against
// electron-builder's own JSON schema, and for the promises the app depends on.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
const config = JSON.parse(read('electron-builder.json'));
const pkg = JSON.parse(read('package.json'));

describe('electron-builder.json', () => {
  it('is valid against electron-builder’s schema', () => {
    const Ajv = require('ajv');
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(require('app-builder-lib/scheme.json'));
    expect(validate(config), JSON.stringify(validate.errors, null, 1)).toBe(true);
  });

  it('builds AppImage and deb, dmg, and nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
  });

  it('turns off the Electron fuses the app does not need (Electron security checklist)', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('associates .octz files with the app', () => {
    expect(config.fileAssociations).toEqual([expect.objectContaining({ ext: 'octz', mimeType: 'application/x-octozip' })]);
    expect(config.linux.mimeTypes).toContain('application/x-octozip');
  });

  it('ships what main loads, and unpacks the model and native modules from the asar', () => {
    expect(pkg.main).toBe('dist/electron/app/main.js');
    expect(existsSync(new URL('electron/app/main.ts', root))).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/electron/**/*', 'renderer/dist/**/*', 'resources/**/*']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['resources/**', '**/*.node']));
    expect(config.npmRebuild).toBe(true);
  });

  it('points at icons that exist and are the right kind of file', () => {
    const res = config.directories.buildResources;
    const magic = (p: string, n: number) => readFileSync(new URL(`${res}/${p}`, root)).subarray(0, n);
    expect(magic(config.mac.icon, 4).toString('latin1')).toBe('icns');
    expect([...magic(config.win.icon, 4)]).toEqual([0, 0, 1, 0]);
    for (const ext of ['icns', 'ico']) expect(existsSync(new URL(`${res}/${config.fileAssociations[0].icon}.${ext}`, root))).toBe(true);
    const png = new URL(`${res}/${config.linux.icon}/512x512.png`, root);
    expect(statSync(png).size).toBeGreaterThan(1000);
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});

describe('preload bundle', () => {
  it('is one CommonJS file that requires only electron (a sandboxed preload cannot import)', async () => {
    const { buildPreload } = await import('../../scripts/build-preload.mjs');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'octozip-preload-'));
    try {
      const out = await buildPreload(join(dir, 'preload.cjs'));
      const code = readFileSync(out, 'utf8');
      expect([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
      expect(code).not.toMatch(/^\s*(import|export)\s/m);
      expect(code).toContain('exposeInMainWorld("octozip"');
      // The contract's schemas stay in main: zod is not in the preload.
      expect(code.length).toBeLessThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
