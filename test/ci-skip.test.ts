import { describe, expect, it } from 'vitest';
import { skipOrFailInCi } from './ci-skip.ts';

describe('skipOrFailInCi', () => {
  it('skips outside CI and fails under CI, naming the reason', () => {
    const skipped: string[] = [];
    const ctx = {
      skip(note?: string): never {
        skipped.push(note ?? '');
        throw new Error('skipped');
      },
    };
    expect(() => skipOrFailInCi(ctx, 'no tmpfs', {})).toThrow('skipped');
    expect(skipped).toEqual(['no tmpfs']);
    expect(() => skipOrFailInCi(ctx, 'no tmpfs', { CI: 'true' })).toThrow(/no tmpfs; CI must be able to run this test/);
    expect(skipped).toEqual(['no tmpfs']);
  });
});
