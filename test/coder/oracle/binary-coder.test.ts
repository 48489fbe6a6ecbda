import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryDecoder, BinaryEncoder } from './binary-coder.ts';

describe('binary arithmetic coder', () => {
  it('round-trips any bits under any probabilities', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 4095 })), { maxLength: 3000 }), (pairs) => {
        const enc = new BinaryEncoder();
        for (const [bit, p] of pairs) enc.encode(bit, p);
        const dec = new BinaryDecoder(enc.finish());
        for (const [bit, p] of pairs) expect(dec.decode(p)).toBe(bit);
      }),
      { numRuns: 200 },
    );
  });

  it('spends about -log2(p) bits per bit', () => {
    // 80000 bits that are 1 with probability ~ 1/8, coded at p1 = 512/4096: entropy 0.5436 bits each.
    const enc = new BinaryEncoder();
    let state = 12345;
    let ones = 0;
    for (let i = 0; i < 80000; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const bit = state >>> 29 === 0 ? 1 : 0;
      ones += bit;
      enc.encode(bit, 512);
    }
    const bits = enc.finish().length * 8;
    const ideal = -(ones * Math.log2(1 / 8) + (80000 - ones) * Math.log2(7 / 8));
    expect(bits).toBeGreaterThanOrEqual(ideal * 0.999);
    expect(bits).toBeLessThan(ideal * 1.003 + 64);
  });

  it('decodes garbage without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.integer({ min: -5, max: 5000 }), { maxLength: 500 }), (bytes, ps) => {
        const dec = new BinaryDecoder(bytes);
        for (const p of ps) expect([0, 1]).toContain(dec.decode(p));
      }),
    );
  });
});
