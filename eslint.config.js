// Lint: the import layers (scripts/lint-layers.mjs, README "Layout"), and the recommended rules of ESLint,
// typescript-eslint and eslint-plugin-svelte that catch real bugs. Formatting and import order are left to
// review: the tree was written without a formatter, and a mass reformat would bury every change in noise.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './scripts/lint-layers.mjs';

const root = import.meta.dirname;

export default defineConfig(
  // AssemblyScript (decorators on functions, i32, load<T>) is not TypeScript a linter parses; asc compiles it
  // (npm run build:wasm) and test/coder/wasm-oracle.test.ts holds it to the TypeScript reference bit for bit.
  globalIgnores(['electron/engine/coder/assembly/', 'dist/', 'renderer/dist/', 'build/native/', 'build/model/work/', 'build/packs/work/', 'build/model/checkpoints/', 'test-output/', '.tmp/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: globals.node },
    plugins: { layers },
    rules: {
      'layers/imports': ['error', { root }],
      // `_name` marks an argument kept for its position in a signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // A promise nobody awaits loses its error: type-aware, so only where tsconfig.json's types reach.
    files: ['electron/**/*.ts', 'test/**/*.ts', 'build/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'test/e2e/page-bridge.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // State here holds Sets and Maps that are replaced whole, never mutated in place, so the plain classes are
      // right; the rule cannot tell a local copy being built from reactive state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // Entry names are checked for control characters on purpose.
    files: ['electron/engine/format/entry-path.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
