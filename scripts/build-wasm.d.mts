export const GENERATED: string;
export function compileCoder(): Promise<Uint8Array>;
export function generatedSource(binary: Uint8Array): string;
