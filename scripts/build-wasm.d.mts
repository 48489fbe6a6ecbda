export const GENERATED: string;
/** sourceDir: a changed copy of electron/engine/coder/assembly (default: that folder). */
export function compileCoder(sourceDir?: string): Promise<Uint8Array>;
export function generatedSource(binary: Uint8Array): string;
