// The shipped coder (WebAssembly, electron/engine/coder/assembly) against its reference (the TypeScript coder in
// ./oracle): the same payload for every input, table size, prior and network distribution, and the same prior
// when priming. Any difference means archives written by one could not be read by the other's users.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeBytes, type NetworkFreqs } from '../../electron/engine/coder/cm-stream.ts';
import { parsePrior, serializePrior } from '../../electron/engine/coder/prior.ts';
import { MODEL_REVISIONS, PRIOR_REVISION, WasmPredictor } from '../../electron/engine/coder/wasm-coder.ts';
import { primePrior } from '../../build/prior/build-prior.ts';
import { BytePredictor } from './oracle/byte-predictor.ts';
import * as oracle from './oracle/cm-stream.ts';

function oraclePrime(text: Uint8Array, tableBits: number): Uint8Array {
  const predictor = new BytePredictor({ tableBits, revision: PRIOR_REVISION });
  for (let i = 0; i < text.length; i++) {
    predictor.beginByte(null);
    for (let b = 7; b >= 0; b--) {
      predictor.predictBit();
      predictor.update((text[i]! >> b) & 1);
    }
  }
  return serializePrior(predictor.learnedState());
}

/** Frequencies that depend on the position and the history, including values the coder must clamp. */
function networkFrom(seed: number, missing: number): NetworkFreqs {
  return (i, history) => {
    if ((i + seed) % missing === 0) return null;
    const f = new Int32Array(256);
    let s = (seed ^ Math.imul(i, 0x9e3779b1) ^ (history[i - 1] ?? 0)) >>> 0;
    for (let k = 0; k < 256; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      f[k] = k === (history[i - 1] ?? 0) ? 5000 : (s >>> 22) - 64; // some below 1
    }
    if (i % 97 === 5) f[3] = 2 ** 31 - 1;
    return f;
  };
}

const words = fc
  .array(fc.constantFrom('the ', 'cat ', 'Sat ', 'on\n', 'mat. ', '\t12,', 'hat, ', 'Alice '), { maxLength: 400 })
  .map((w) => new TextEncoder().encode(w.join('')));
const records = fc
  .tuple(fc.uint8Array({ minLength: 3, maxLength: 40 }), fc.integer({ min: 5, max: 60 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
  .map(([row, times, seed]) => {
    const out = new Uint8Array(row.length * times);
    for (let i = 0; i < out.length; i++) out[i] = (row[i % row.length]! + ((seed >> (i % 31)) & 1 ? i / row.length : 0)) & 255;
    return out;
  });
// Code-like text: braces nested deeper than revision 7's depth cap of 15 and closed more often than opened, quotes,
// brackets and operators in every class of its shape context.
const code = fc
  .array(
    fc.constantFrom(
      ...['{', '{{{{{{{{', '{\n  ', '}', '}}}}', '}\n', 'if (x[i] == "a") ', "s = 'b';", ' y.z = `c`,', '\tret 42;', '# -1', 'é'],
      // Revision 8's syntax state: quotes (escaped, unclosed), comments of both kinds, # lines, tags.
      ...['"a\\"b"', "it's ", '// "q\n', '/* x\n y/z */', '/*/', '*/', '\n#if "', '<a href="h">', '>', '<'],
    ),
    { maxLength: 300 },
  )
  .map((w) => new TextEncoder().encode(w.join('')));
const inputs = fc.oneof(fc.uint8Array({ maxLength: 2000 }), words, records, code);

describe('the WebAssembly coder against the TypeScript reference', () => {
  it('codes every input to the same payload in every model revision, cold and primed, with and without a network', () => {
    const primeText = new TextEncoder().encode('A small prior: the cat sat on the mat, and Alice saw the hat.\n'.repeat(40));
    fc.assert(
      fc.property(
        inputs,
        fc.integer({ min: 12, max: 18 }),
        fc.boolean(),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 2, max: 9 })), { nil: undefined }),
        fc.constantFrom(...MODEL_REVISIONS),
        (data, tableBits, primed, net, revision) => {
          const prior = primed ? primePrior(primeText, tableBits) : undefined;
          const options = () => ({ tableBits, revision, prior: prior ? parsePrior(prior.slice()) : undefined });
          const network = net ? networkFrom(net[0], net[1]) : undefined;
          const expected = oracle.encodeBytes(data, network, options());
          const actual = encodeBytes(data, network, options());
          expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
          expect(decodeBytes(actual, data.length, network, options())).toEqual(data);
          const prefix = data.length >> 1;
          expect(decodeBytes(actual, prefix, network, options())).toEqual(data.subarray(0, prefix));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('codes code-like text to the same payload in revisions 7 to 10 (shape, brace depth, syntax state, wide mixer, APMs), cold and primed', () => {
    const primeText = new TextEncoder().encode('int main(void) { if (x == 1) { return "a"; } }\n'.repeat(40));
    fc.assert(
      fc.property(code, fc.integer({ min: 12, max: 18 }), fc.boolean(), fc.constantFrom(7 as const, 8 as const, 9 as const, 10 as const), (data, tableBits, primed, revision) => {
        const prior = primed ? primePrior(primeText, tableBits) : undefined;
        const options = () => ({ tableBits, revision, prior: prior ? parsePrior(prior.slice()) : undefined });
        const actual = encodeBytes(data, undefined, options());
        expect(Buffer.from(actual).equals(Buffer.from(oracle.encodeBytes(data, undefined, options())))).toBe(true);
        expect(decodeBytes(actual, data.length, undefined, options())).toEqual(data);
      }),
      { numRuns: 60 },
    );
  });

  it('codes long repeats to the same payload in revisions 9 and 10 (the match state, lengths past 31, broken matches)', () => {
    // A chunk repeated with one byte changed each time: matches grow past revision 10's length cap and break.
    const repeats = fc
      .tuple(fc.uint8Array({ minLength: 40, maxLength: 400 }), fc.integer({ min: 2, max: 6 }), fc.nat())
      .map(([chunk, times, at]) => {
        const out = new Uint8Array(chunk.length * times);
        for (let t = 0; t < times; t++) {
          out.set(chunk, t * chunk.length);
          out[t * chunk.length + ((at + t * 7) % chunk.length)]! ^= 0x20;
        }
        return out;
      });
    fc.assert(
      fc.property(repeats, fc.integer({ min: 12, max: 16 }), fc.constantFrom(9 as const, 10 as const), (data, tableBits, revision) => {
        const options = () => ({ tableBits, revision });
        const actual = encodeBytes(data, undefined, options());
        expect(Buffer.from(actual).equals(Buffer.from(oracle.encodeBytes(data, undefined, options())))).toBe(true);
        expect(decodeBytes(actual, data.length, undefined, options())).toEqual(data);
      }),
      { numRuns: 40 },
    );
  });

  it('spreads a prior over a table up to 8 times larger from revision 8, as the reference does, and only there', () => {
    const primeText = new TextEncoder().encode('int main(void) { if (x == 1) { return "a"; } }\nThe cat sat on the mat.\n'.repeat(30));
    fc.assert(
      fc.property(fc.oneof(code, inputs), fc.integer({ min: 12, max: 15 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(8 as const, 9 as const, 10 as const), (data, priorBits, extra, revision) => {
        const prior = primePrior(primeText, priorBits);
        const options = () => ({ tableBits: priorBits + extra, revision, prior: parsePrior(prior.slice()) });
        const actual = encodeBytes(data, undefined, options());
        expect(Buffer.from(actual).equals(Buffer.from(oracle.encodeBytes(data, undefined, options())))).toBe(true);
        expect(decodeBytes(actual, data.length, undefined, options())).toEqual(data);
      }),
      { numRuns: 30 },
    );
    const prior = primePrior(primeText, 13);
    expect(() => new WasmPredictor({ tableBits: 14, revision: 7, prior: parsePrior(prior.slice()) })).toThrow(/tableBits 13/);
    expect(() => new WasmPredictor({ tableBits: 12, revision: 8, prior: parsePrior(prior.slice()) })).toThrow(/tableBits 13/);
    expect(() => new BytePredictor({ tableBits: 14, revision: 7, prior: parsePrior(prior.slice()) })).toThrow(/tableBits 13/);
  });

  it('primes the same prior', () => {
    fc.assert(
      fc.property(fc.oneof(words, fc.uint8Array({ maxLength: 3000 })), fc.integer({ min: 12, max: 17 }), (text, tableBits) => {
        expect(Buffer.from(primePrior(text, tableBits)).equals(Buffer.from(oraclePrime(text, tableBits)))).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('decodes the same bytes as the reference from damaged payloads', () => {
    const data = new TextEncoder().encode('Damage decodes to wrong bytes, the same wrong bytes everywhere. '.repeat(30));
    const coded = encodeBytes(data, undefined, { tableBits: 14 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: coded.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 4000 }), (at, flip, n) => {
        const damaged = coded.slice();
        damaged[at]! ^= flip;
        expect(decodeBytes(damaged, n, undefined, { tableBits: 14 })).toEqual(oracle.decodeBytes(damaged, n, undefined, { tableBits: 14 }));
      }),
      { numRuns: 20 },
    );
  });

  it('reuses pooled instances without carrying state from one stream to the next', () => {
    const data = new TextEncoder().encode('Each stream starts from nothing, or from its prior, never from the last stream. '.repeat(50));
    const first = encodeBytes(data, undefined, { tableBits: 16 });
    encodeBytes(new Uint8Array(100_000).fill(7), undefined, { tableBits: 20 });
    encodeBytes(data.slice().reverse(), undefined, { tableBits: 12 });
    expect(encodeBytes(data, undefined, { tableBits: 16 })).toEqual(first);
  });

  it('reaches back across a whole solid block in revision 4, and 4 MiB in revision 3', () => {
    // A 64 KiB random run, 4.25 MiB of a repeated line, then the run again: only a history longer than 4 MiB still
    // holds the first copy. (The reference is too slow for streams this long; the test above covers its logic.)
    let s = 0x2545f491;
    const noise = (n: number) =>
      Uint8Array.from({ length: n }, () => {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        return s & 255;
      });
    const run = noise(64 * 1024);
    const line = new TextEncoder().encode('A line of text between two copies of the same random bytes.\n');
    const gap = new Uint8Array(4.25 * 1024 * 1024);
    for (let i = 0; i < gap.length; i += line.length) gap.set(line.subarray(0, gap.length - i), i);
    const data = new Uint8Array(run.length * 2 + gap.length);
    data.set(run);
    data.set(gap, run.length);
    data.set(run, run.length + gap.length);
    const old = encodeBytes(data, undefined, { tableBits: 16, revision: 3 });
    const now = encodeBytes(data, undefined, { tableBits: 16, revision: 4 });
    expect(old.length).toBeGreaterThan(run.length * 2); // the second copy costs as much as the first
    expect(now.length).toBeLessThan(run.length * 1.1); // the second copy costs almost nothing
    expect(decodeBytes(now, data.length, undefined, { tableBits: 16, revision: 4 })).toEqual(data);
  });

  it('refuses bad table sizes and a released predictor', () => {
    expect(() => new WasmPredictor({ tableBits: 11 })).toThrow(RangeError);
    expect(() => new WasmPredictor({ tableBits: 16.5 })).toThrow(RangeError);
    expect(() => new WasmPredictor({ tableBits: 12, revision: 11 as 10 })).toThrow(/revision 11/);
    const p = new WasmPredictor({ tableBits: 12 });
    p.release();
    expect(() => p.encode(Uint8Array.of(1))).toThrow(/released/);
  });
});
