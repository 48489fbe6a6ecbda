// The layer rule (scripts/lint-layers.mjs) on imports that cross each boundary, and the repository's own
// ESLint config applying it: a rule that is never reached would let every layer leak silently.
import path from 'node:path';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import layers from '../../scripts/lint-layers.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const linter = new Linter({ configType: 'flat' });
const config: Linter.Config[] = [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser as Linter.Parser },
    plugins: { layers },
    rules: { 'layers/imports': ['error', { root }] },
  },
];

/** The layer rule's messages for `code` as if it were the file at `file` (repository-relative). */
function problems(file: string, code: string): string[] {
  return linter.verify(code, config, { filename: path.join(root, file) }).map((m) => m.message);
}

describe('layer rule', () => {
  it('keeps Electron, the app, the contract and the renderer out of the engine', () => {
    expect(problems('electron/engine/jobs/x.ts', "import { app } from 'electron';")).toEqual([
      "'electron': the engine runs without Electron (CLI, tests, engine host).",
    ]);
    expect(problems('electron/engine/jobs/x.ts', "import { Catalog } from '../../app/catalog.ts';")).toHaveLength(1);
    expect(problems('electron/engine/x.ts', "import type { AppEvent } from '../contract.ts';")).toHaveLength(1);
    expect(problems('electron/engine/x.ts', "export * from '../../renderer/src/lib/format.ts';")).toHaveLength(1);
    expect(problems('electron/engine/x.ts', "const m = await import('../cli.ts');")).toHaveLength(1);
    expect(problems('electron/engine/jobs/x.ts', "import { z } from 'zod';\nimport { PRESETS } from '../presets.ts';")).toEqual([]);
  });

  it('lets the app and the CLI reach the engine only through its index', () => {
    expect(problems('electron/app/x.ts', "import { openDatabase } from '../engine/format/database.ts';")).toEqual([
      "'../engine/format/database.ts': outside the engine, import it only through electron/engine/index.ts.",
    ]);
    expect(problems('electron/app/x.ts', "import type { Preset } from '../engine/api.ts';")).toHaveLength(1);
    expect(problems('electron/cli.ts', "import { PRESETS } from './engine/presets.ts';")).toHaveLength(1);
    expect(problems('electron/cli.ts', "import { app } from 'electron';")).toHaveLength(1);
    expect(problems('electron/app/x.ts', "import { app } from 'electron';\nimport { listArchive } from '../engine/index.ts';")).toEqual([]);
  });

  it('lets the renderer import only types, and only from the contract', () => {
    expect(problems('renderer/src/lib/x.ts', "import type { Preset } from '../../../electron/contract.ts';")).toEqual([]);
    expect(problems('renderer/src/lib/x.ts', "import { CHANNELS } from '../../../electron/contract.ts';")).toHaveLength(1);
    // An inline `type` still loads the module under verbatimModuleSyntax.
    expect(problems('renderer/src/lib/x.ts', "import { type Preset } from '../../../electron/contract.ts';")).toHaveLength(1);
    expect(problems('renderer/src/lib/x.ts', "import type { Preset } from '../../../electron/engine/api.ts';")).toHaveLength(1);
    expect(problems('renderer/src/lib/x.ts', "import { ipcRenderer } from 'electron';")).toHaveLength(1);
  });

  it('lets the contract, which main and the preload load, take values only from Node-free engine modules', () => {
    expect(problems('electron/contract.ts', "import { PRESET_IDS } from './engine/ids.ts';")).toEqual([]);
    expect(problems('electron/contract.ts', "import type { ArchiveListing } from './engine/api.ts';")).toEqual([]);
    expect(problems('electron/contract.ts', "import { listArchive } from './engine/index.ts';")).toHaveLength(1);
  });

  it("is applied by the repository's ESLint config", async () => {
    // Without type information (half a minute to build), which this rule does not need.
    const eslint = new ESLint({
      cwd: root,
      overrideConfig: {
        languageOptions: { parserOptions: { projectService: false } },
        rules: { '@typescript-eslint/no-floating-promises': 'off' },
      },
    });
    const [result] = await eslint.lintText("import { app } from 'electron';\nexport const name = app.name;\n", {
      filePath: path.join(root, 'electron/engine/errors.ts'),
    });
    expect(result!.messages.map((m) => m.ruleId)).toContain('layers/imports');
  });
});
