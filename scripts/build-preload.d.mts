export function buildPreload(outfile?: string): Promise<string>;
