// Byte counts as the engine's messages and the CLI print and read them: binary units (KiB = 1024 B), as du -h and
// ls -lh print and 7-Zip's -ms=4m reads.

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

const MULTIPLIERS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * A size as a user types it: a whole number of bytes, or one with a binary unit, k/m/g with an optional iB or B
 * ("4m", "4M", "4MiB", "512KiB"). Returns null for anything else (decimals, negatives, unknown units).
 */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+)\s*(?:([kmg])(?:i?b)?|b)?\s*$/i.exec(text);
  if (!match) return null;
  const n = Number(match[1]) * MULTIPLIERS[(match[2] ?? '').toLowerCase()]!;
  return Number.isSafeInteger(n) ? n : null;
}
