// The ESLint rule that enforces which layer may import which (README "Layout"). A local rule rather than
// import-x's no-restricted-paths: every import here is a bare package name or a relative path with its
// extension, so path.resolve is the whole resolution, and nothing passes silently because a resolver failed.
import path from 'node:path';

/** Engine modules that load no Node or native module, so the contract (loaded by main and the preload) may use them. */
const NODE_FREE_ENGINE = ['electron/engine/api.ts', 'electron/engine/errors.ts', 'electron/engine/ids.ts', 'electron/engine/presets.ts'];

/** The layer of a repository-relative path, or null for code outside the layered tree (tests, build, scripts). */
function layerOf(file) {
  if (file.startsWith('electron/engine/')) return 'engine';
  if (file.startsWith('electron/app/')) return 'app';
  if (file === 'electron/cli.ts' || file === 'electron/cli-password.ts') return 'cli';
  if (file === 'electron/contract.ts') return 'contract';
  if (file.startsWith('renderer/')) return 'renderer';
  return null;
}

const isElectron = (spec) => spec === 'electron' || spec.startsWith('electron/');

/**
 * Why importing `target` from `layer` breaks the layering, or null when it does not.
 * `target` is { bare: string } for a package, { file: string } (repository-relative) for a relative import.
 */
export function layerViolation(layer, target, typeOnly) {
  const { bare, file } = target;
  switch (layer) {
    case 'engine':
      if (bare !== undefined) return isElectron(bare) ? 'the engine runs without Electron (CLI, tests, engine host)' : null;
      return file.startsWith('electron/engine/') ? null : 'the engine imports nothing outside electron/engine/';
    case 'cli':
      if (bare !== undefined) return isElectron(bare) ? 'the CLI runs in plain Node, without Electron' : null;
    // falls through: the CLI, like the app, reaches the engine through its entry point
    case 'app':
      if (file === undefined || !file.startsWith('electron/engine/') || file === 'electron/engine/index.ts') return null;
      return 'outside the engine, import it only through electron/engine/index.ts';
    case 'contract':
      if (file === undefined || !file.startsWith('electron/engine/')) return null;
      if (typeOnly || NODE_FREE_ENGINE.includes(file)) return null;
      return `main and the preload load the contract: it may import values only from ${NODE_FREE_ENGINE.join(', ')}`;
    case 'renderer':
      if (bare !== undefined) return isElectron(bare) ? 'the renderer reaches Electron only through window.octozip' : null;
      if (file.startsWith('renderer/')) return null;
      if (file === 'electron/contract.ts') return typeOnly ? null : 'the renderer imports only types from electron/contract.ts (use `import type`)';
      return 'the renderer imports nothing outside renderer/ but types from electron/contract.ts';
    default:
      return null;
  }
}

/** @type {import('eslint').Rule.RuleModule} */
const layerImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the layers: engine, contract, app and CLI, renderer' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, required: ['root'], additionalProperties: false }],
    messages: { crossesLayer: "'{{spec}}': {{why}}." },
  },
  create(context) {
    const root = context.options[0].root;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const layer = layerOf(file);
    if (layer === null) return {};
    const check = (node, source, typeOnly) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      const target = spec.startsWith('.')
        ? { file: path.relative(root, path.resolve(path.dirname(context.filename), spec)).split(path.sep).join('/') }
        : { bare: spec };
      const why = layerViolation(layer, target, typeOnly);
      if (why) context.report({ node, messageId: 'crossesLayer', data: { spec, why } });
    };
    return {
      // Only a whole-statement `import type` is erased; `import { type X }` still loads the module
      // (verbatimModuleSyntax keeps it as a side-effect import).
      ImportDeclaration: (node) => check(node, node.source, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
    };
  },
};

export default { meta: { name: 'octozip-layers' }, rules: { imports: layerImports } };
