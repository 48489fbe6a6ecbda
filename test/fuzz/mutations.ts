// Ways a stored archive gets damaged, as data (so a failing case prints what was done and can be replayed):
// bit flips anywhere, truncation, and whole-page damage of the kind a bad sector or a torn write causes.
import fc from 'fast-check';
import { PAGE_SIZE } from '../../electron/engine/format/schema.ts';

export type Mutation =
  | { kind: 'flip'; bits: number[] }
  | { kind: 'truncate'; keepFraction: number }
  | { kind: 'zero-page'; page: number }
  | { kind: 'random-page'; page: number; seed: number }
  | { kind: 'copy-page'; from: number; to: number };

/** SQLite page size of the archives under test (those this build writes). */
export const PAGE_BYTES = PAGE_SIZE;

export function mutationArbitrary(fileBytes: number): fc.Arbitrary<Mutation> {
  const pages = Math.max(1, Math.floor(fileBytes / PAGE_BYTES));
  const bit = fc.integer({ min: 0, max: fileBytes * 8 - 1 });
  const page = fc.integer({ min: 0, max: pages - 1 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(bit, { minLength: 1, maxLength: 8 }).map((bits) => ({ kind: 'flip' as const, bits })) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 0.9999, noNaN: true }).map((keepFraction) => ({ kind: 'truncate' as const, keepFraction })) },
    { weight: 1, arbitrary: page.map((p) => ({ kind: 'zero-page' as const, page: p })) },
    { weight: 1, arbitrary: fc.tuple(page, fc.integer()).map(([p, seed]) => ({ kind: 'random-page' as const, page: p, seed })) },
    { weight: 1, arbitrary: fc.tuple(page, page).map(([from, to]) => ({ kind: 'copy-page' as const, from, to })) },
  );
}

/** A damaged copy of `original`; the original is never modified. */
export function applyMutation(original: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(original);
      for (const b of m.bits) out[b >> 3] ^= 1 << (b & 7);
      return out;
    }
    case 'truncate':
      return Buffer.from(original.subarray(0, Math.floor(original.length * m.keepFraction)));
    case 'zero-page': {
      const out = Buffer.from(original);
      out.fill(0, m.page * PAGE_BYTES, (m.page + 1) * PAGE_BYTES);
      return out;
    }
    case 'random-page': {
      const out = Buffer.from(original);
      let x = m.seed | 1;
      for (let i = m.page * PAGE_BYTES; i < Math.min(out.length, (m.page + 1) * PAGE_BYTES); i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[i] = x & 0xff;
      }
      return out;
    }
    case 'copy-page': {
      const out = Buffer.from(original);
      original.copy(out, m.to * PAGE_BYTES, m.from * PAGE_BYTES, (m.from + 1) * PAGE_BYTES);
      return out;
    }
  }
}

/** True when the mutation leaves the bytes as they were (flipping a bit twice, copying a page onto itself). */
export function isNoOp(original: Buffer, mutated: Buffer): boolean {
  return original.equals(mutated);
}
