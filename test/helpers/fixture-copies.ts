// Committed archives are never opened in place: each test works on a fresh copy in a temporary folder.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './tree.ts';

/**
 * Registers a temporary folder for the calling test file; `copy(name)` copies fixture `name` from `fixtures`
 * there, `scratch(label)` names a fresh path in it (for outputs), and `dir()` is the folder.
 */
export function fixtureCopies(fixtures: URL, prefix: string): { copy(name: string): string; scratch(label: string): string; dir(): string } {
  let root = '';
  let cleanup = () => {};
  beforeAll(() => ({ dir: root, cleanup } = tempDir(prefix)));
  afterAll(() => cleanup());
  let counter = 0;
  return {
    copy(name) {
      const copy = path.join(root, `${counter++}-${name}`);
      fs.copyFileSync(new URL(name, fixtures), copy);
      return copy;
    },
    scratch(label) {
      return path.join(root, `${label}-${counter++}`);
    },
    dir: () => root,
  };
}
