import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXTRACT_LIMITS,
  ExtractBudget,
  LimitExceededError,
  RATIO_FLOOR_BYTES,
  resolveExtractLimits,
} from '../../electron/engine/limits.ts';
import { OctozipError } from '../../electron/engine/errors.ts';

function tripped(fn: () => void): LimitExceededError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof LimitExceededError) return err;
    throw err;
  }
  return undefined;
}

describe('extraction limits', () => {
  it('overrides replace defaults and bad values are refused', () => {
    expect(resolveExtractLimits(undefined)).toEqual(DEFAULT_EXTRACT_LIMITS);
    expect(resolveExtractLimits({ maxEntries: 5 }).maxEntries).toBe(5);
    expect(resolveExtractLimits({ maxRatio: Infinity }).maxRatio).toBe(Infinity);
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => resolveExtractLimits({ maxTotalBytes: bad })).toThrow(OctozipError);
    }
  });

  it('refuses declared totals over the limits before anything is written', () => {
    const budget = new ExtractBudget(resolveExtractLimits({ maxEntries: 10, maxTotalBytes: 1000 }), 'a.octz');
    expect(tripped(() => budget.checkDeclared(10, 1000, 10))).toBeUndefined();
    const entries = tripped(() => budget.checkDeclared(11, 10, 10));
    expect(entries?.limit).toBe('maxEntries');
    expect(entries?.code).toBe('limit-exceeded');
    expect(entries?.message).toMatch(/more than 10 entries/);
    expect(tripped(() => budget.checkDeclared(1, 1001, 1000))?.limit).toBe('maxTotalBytes');
  });

  it('stops an archive whose actual output exceeds the limit even when it declared less', () => {
    const budget = new ExtractBudget(resolveExtractLimits({ maxTotalBytes: 100 }));
    budget.checkDeclared(1, 10, 10);
    budget.addOutput(60);
    const err = tripped(() => budget.addOutput(41));
    expect(err?.limit).toBe('maxTotalBytes');
    expect(err?.message).toMatch(/over the 100 bytes limit/);
  });

  it('checks the ratio only past the floor, so small highly compressible files always extract', () => {
    const budget = new ExtractBudget(resolveExtractLimits({ maxRatio: 100 }));
    expect(tripped(() => budget.checkDeclared(1, RATIO_FLOOR_BYTES, 14))).toBeUndefined();
    const bomb = tripped(() => budget.checkDeclared(1, RATIO_FLOOR_BYTES + 1, 14));
    expect(bomb?.limit).toBe('maxRatio');
    expect(bomb?.message).toMatch(/decompression bomb/);
    const running = new ExtractBudget(resolveExtractLimits({ maxRatio: 100 }));
    running.addPacked(RATIO_FLOOR_BYTES / 50);
    expect(tripped(() => running.addOutput(RATIO_FLOOR_BYTES * 2))).toBeUndefined();
    expect(tripped(() => running.addOutput(RATIO_FLOOR_BYTES * 10))?.limit).toBe('maxRatio');
  });

  it('counts entries as they are written', () => {
    const budget = new ExtractBudget(resolveExtractLimits({ maxEntries: 2 }));
    budget.addEntry();
    budget.addEntry();
    expect(tripped(() => budget.addEntry())?.limit).toBe('maxEntries');
  });
});
