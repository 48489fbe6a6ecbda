import type { ESLint } from 'eslint';

export function layerViolation(layer: string, target: { bare?: string; file?: string }, typeOnly: boolean): string | null;

declare const plugin: ESLint.Plugin;
export default plugin;
