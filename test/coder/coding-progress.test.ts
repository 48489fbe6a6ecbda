// Coding in ranges (to report progress) must give exactly the bytes of coding in one call, both ways.
import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeBytes } from '../../electron/engine/coder/cm-stream.ts';

function sample(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = (x >>> 24) % 7 === 0 ? 32 : 97 + ((x >>> 16) % 26);
  }
  return out;
}

describe('coding with progress reports', () => {
  it('gives the same payload and the same decoded bytes, and reports every step up to the end', () => {
    const data = sample(600 * 1024 + 17);
    const options = { tableBits: 18 };
    const reports: number[] = [];
    const plain = encodeBytes(data, undefined, options);
    const stepped = encodeBytes(data, undefined, options, (n) => reports.push(n));
    expect(Buffer.from(stepped).equals(Buffer.from(plain))).toBe(true);
    expect(reports.at(-1)).toBe(data.length);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    const decodeReports: number[] = [];
    const prefix = 500 * 1024;
    const decoded = decodeBytes(plain, prefix, undefined, options, (n) => decodeReports.push(n));
    expect(Buffer.from(decoded).equals(Buffer.from(data.subarray(0, prefix)))).toBe(true);
    expect(decodeReports.at(-1)).toBe(prefix);
  });
});
