// The version is written in two places (package.json for npm, version.ts for the program); they must agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CREATOR, OCTOZIP_VERSION } from '../../electron/engine/version.ts';

describe('version', () => {
  it("matches package.json's version, and archives name it as their creator", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(OCTOZIP_VERSION).toBe(pkg.version);
    expect(CREATOR).toBe(`octozip ${pkg.version}`);
  });
});
