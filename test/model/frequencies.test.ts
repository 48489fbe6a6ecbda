// Logits to coder frequencies, per docs/MODEL.md: integer only, every byte codable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrequencyTable } from '../../electron/engine/model/frequencies.ts';
import { ModelRegistry } from '../../electron/engine/model/manifest.ts';

const manifest = ModelRegistry.open().defaultModel().manifest;
const table = new FrequencyTable(manifest);
const { probTable } = manifest;
const outShift = manifest.architecture.outShift;

describe('FrequencyTable', () => {
  it('follows the formula of docs/MODEL.md on hand-picked gaps', () => {
    const logits = new Int32Array(256);
    logits[0] = 1000;
    logits[1] = 1000 - (3 << outShift); // gap 3 steps
    logits[2] = 1000 - (3 << outShift) - 1; // just past 3 steps: still entry 3
    logits[3] = -(2 ** 31); // the largest possible gap saturates
    for (let i = 4; i < 256; i++) logits[i] = 1000 - ((probTable.length + i) << outShift);
    const freq = table.row(logits, 0);
    expect(freq[0]).toBe(probTable[0]);
    expect(freq[1]).toBe(probTable[Math.min(3, probTable.length - 1)]);
    expect(freq[2]).toBe(probTable[Math.min(3, probTable.length - 1)]);
    expect(freq[3]).toBe(probTable[probTable.length - 1]);
    expect(freq[200]).toBe(probTable[probTable.length - 1]);
  });

  it('gives every byte a frequency >= 1 and the largest logit the largest frequency, for any int32 logits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 256, maxLength: 256 }), (values) => {
        const logits = Int32Array.from(values);
        const freq = table.row(logits, 0);
        let argmax = 0;
        for (let i = 1; i < 256; i++) if (logits[i]! > logits[argmax]!) argmax = i;
        expect(freq[argmax]).toBe(probTable[0]);
        for (let i = 0; i < 256; i++) {
          expect(freq[i]).toBeGreaterThanOrEqual(1);
          expect(Number.isInteger(freq[i])).toBe(true);
          // Monotone: a larger logit never gets a smaller frequency.
          if (logits[i]! > logits[(i + 1) % 256]!) expect(freq[i]).toBeGreaterThanOrEqual(freq[(i + 1) % 256]!);
        }
      }),
      { numRuns: 200 },
    );
  });
});
