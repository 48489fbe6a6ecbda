import { describe, expect, it } from 'vitest';
import { squash, stretch } from './logistic.ts';
import { BytePredictor } from './byte-predictor.ts';
import { NetworkTree } from './network-tree.ts';

describe('logistic tables', () => {
  it('squash is monotonic, symmetric around 2048 and stretch inverts it', () => {
    let previous = -1;
    for (let d = -2047; d <= 2047; d++) {
      const p = squash(d);
      expect(p).toBeGreaterThanOrEqual(previous);
      previous = p;
      expect(Math.abs(p + squash(-d) - 4096)).toBeLessThanOrEqual(1);
      // stretch returns the smallest d with that probability: equal where squash is steep, below it where flat.
      expect(stretch(p)).toBeLessThanOrEqual(d);
      expect(squash(stretch(p))).toBe(p);
    }
    expect(squash(0)).toBe(2048);
    expect(squash(5000)).toBe(squash(2047));
  });
});

describe('network sum tree', () => {
  it('gives each bit the share of the frequencies under its 1-branch', () => {
    const tree = new NetworkTree();
    const freq = new Int32Array(256).fill(1);
    freq[0x41] = 769; // 'A' = 0100 0001; the total is 255 + 769 = 1024
    tree.load(freq);
    // First bit: bytes 0x80..0xff hold 128 of 1024.
    expect(tree.p1(1)).toBe(512);
    // After 0, 1 (prefix 01): 0x60..0x7f hold 32 of the 63 + 769 under 0x40..0x7f.
    expect(tree.p1(0b101)).toBe(Math.floor((32 * 4096) / (63 + 769)));
    // Last bit of the pair 0x40, 0x41: 769 of 770.
    expect(tree.p1(0b1_0100_000)).toBe(Math.floor((769 * 4096) / 770));
  });

  it('treats missing or non-positive frequencies as 1 and stays within 1..4095', () => {
    const tree = new NetworkTree();
    tree.load(new Int32Array(0));
    expect(tree.p1(1)).toBe(2048);
    const extreme = new Int32Array(256);
    extreme[255] = 2 ** 31 - 1;
    tree.load(extreme);
    for (let c0 = 1; c0 < 256; c0++) {
      expect(tree.p1(c0)).toBeGreaterThanOrEqual(1);
      expect(tree.p1(c0)).toBeLessThanOrEqual(4095);
    }
  });
});

describe('the reference predictor', () => {
  it('keeps predictions in 1..4095 and tolerates a malformed network distribution', () => {
    const p = new BytePredictor({ tableBits: 16 });
    const malformed = [new Int32Array(256), new Int32Array(3).fill(-9), new Int32Array(256).fill(2 ** 31 - 1), null];
    for (let i = 0; i < 400; i++) {
      p.beginByte(malformed[i % malformed.length]!);
      for (let b = 0; b < 8; b++) {
        const pr = p.predictBit();
        expect(pr).toBeGreaterThanOrEqual(1);
        expect(pr).toBeLessThanOrEqual(4095);
        p.update((i * 7 + b) % 3 === 0 ? 1 : 0);
      }
    }
  });
});
