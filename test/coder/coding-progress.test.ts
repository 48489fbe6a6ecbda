// The coder codes in small ranges (so that V8's optimized code takes over early) and reports progress every
// 256 KiB and at the end; the goldens (test/codec) pin that its bytes are what they always were.
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
  it('reports every 256 KiB and at the end, and decodes a prefix back', () => {
    const data = sample(600 * 1024 + 17);
    const options = { tableBits: 18 };
    const reports: number[] = [];
    const plain = encodeBytes(data, undefined, options);
    const reported = encodeBytes(data, undefined, options, (n) => reports.push(n));
    expect(Buffer.from(reported).equals(Buffer.from(plain))).toBe(true);
    expect(reports).toEqual([256 * 1024, 512 * 1024, data.length]);
    const decodeReports: number[] = [];
    const prefix = 500 * 1024;
    const decoded = decodeBytes(plain, prefix, undefined, options, (n) => decodeReports.push(n));
    expect(Buffer.from(decoded).equals(Buffer.from(data.subarray(0, prefix)))).toBe(true);
    expect(decodeReports).toEqual([256 * 1024, prefix]);
  });
});
