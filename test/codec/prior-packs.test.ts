// Several priors (model packs): stores keyed by kind, the prior index a cm payload records, and decoding that
// refuses a prior this build lacks with a sentence naming it. Small priors (tables of 2^16) primed here keep
// it fast; the bundled files are checked by prior.test.ts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContextMixingCodec,
  decodeContextMixingChunk,
  encodeContextMixingBlock,
  encodeContextMixingChunk,
  PRIMED_MIN_BYTES,
  PRIOR_PROBE_BYTES,
  PROBE_EVERY_PRIOR_MIN_BYTES,
  priorsFromParams,
} from '../../electron/engine/codecs/context-mixing.ts';
import { OctozipError } from '../../electron/engine/errors.ts';
import { LATEST_REVISION } from '../../electron/engine/coder/wasm-coder.ts';
import { bundledPrior, PriorStore, priorManifestFile, type PriorId } from '../../electron/engine/model/prior-store.ts';
import { primePrior } from '../../build/prior/build-prior.ts';

const BITS = 16;
const encoder = new TextEncoder();
const proseText = encoder.encode('The clocks were striking thirteen, and Winston slipped through the glass doors. '.repeat(40));
const codeText = encoder.encode('static int parse(const char *s, size_t n) {\n  for (size_t i = 0; i < n; i++) if (!s[i]) return -1;\n  return 0;\n}\n'.repeat(40));

/** A chunk of C-like text past the size below which chunks start cold (or of at least `bytes`). */
function codeChunk(bytes = PRIMED_MIN_BYTES + 2000): Uint8Array {
  const lines: string[] = [];
  for (let i = 0, length = 0; length < bytes; i++) {
    lines.push(`static int field_${i}(const char *s, size_t n) {\n  if (n < ${i % 17}) return -${i % 5};\n  return s[${i % 3}];\n}\n`);
    length += lines.at(-1)!.length;
  }
  return encoder.encode(lines.join(''));
}

function writePrior(dir: string, id: PriorId, text: Uint8Array): void {
  const bytes = primePrior(text, BITS);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = id === 'english' ? 'prior.bin' : `prior-${id}.bin`;
  fs.writeFileSync(path.join(dir, file), bytes);
  const manifest = {
    name: `test-prior-${id}-${sha256.slice(0, 8)}`,
    kind: 'cm-prior',
    file,
    sha256,
    tableBits: BITS,
    text: { file: 'none', sha256: createHash('sha256').update(text).digest('hex'), bytes: text.length, sources: ['test'] },
  };
  fs.writeFileSync(path.join(dir, priorManifestFile(id)), JSON.stringify(manifest));
}

let dir: string;
let onlyEnglish: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-packs-'));
  writePrior(dir, 'english', proseText);
  writePrior(dir, 'code', codeText);
  onlyEnglish = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-packs-en-'));
  for (const f of ['prior.json', 'prior.bin']) fs.copyFileSync(path.join(dir, f), path.join(onlyEnglish, f));
});

afterAll(() => {
  for (const d of [dir, onlyEnglish]) fs.rmSync(d, { recursive: true, force: true });
});

describe('prior stores keyed by kind', () => {
  it('opens each kind from its own manifest, and says which kind is missing', () => {
    expect(PriorStore.open(dir, 'code').manifest.name).toMatch(/^test-prior-code-/);
    expect(PriorStore.open(dir).id).toBe('english');
    expect(() => PriorStore.open(dir, 'markup')).toThrow(/bundled markup prior cannot be used: its manifest .*prior-markup\.json is missing/);
  });

  it('finds a bundled prior by SHA-256 whatever its kind', () => {
    const code = PriorStore.open(dir, 'code');
    expect(bundledPrior(code.manifest.sha256.toUpperCase(), dir)?.id).toBe('code');
    expect(bundledPrior('0'.repeat(64), dir)).toBeNull();
  });
});

describe('cm payloads that name their prior', () => {
  it('record the prior index in the flags byte and decode only with that prior', () => {
    const english = PriorStore.open(dir, 'english');
    const code = PriorStore.open(dir, 'code');
    const chunk = codeChunk();
    const payload = encodeContextMixingChunk(chunk, code, 1);
    expect(payload[2]).toBe(1 | (1 << 1));
    expect(decodeContextMixingChunk(payload, chunk.length, [english, code])).toEqual(chunk);
    // The same slot holding another prior decodes to other bytes: the index, not luck, picks the statistics.
    expect(decodeContextMixingChunk(payload, chunk.length, [english, english])).not.toEqual(chunk);
    expect(() => decodeContextMixingChunk(payload, chunk.length, [english])).toThrow(/prior 1, which the archive header does not name/);
    expect(() => decodeContextMixingChunk(payload, chunk.length, english)).toThrow(OctozipError);
  });

  it('with index 0 are the bytes older builds wrote and read', () => {
    const english = PriorStore.open(dir, 'english');
    const chunk = codeChunk();
    const payload = encodeContextMixingChunk(chunk, english, 0);
    expect(payload[2]).toBe(1);
    expect(Buffer.from(encodeContextMixingChunk(chunk, english)).equals(Buffer.from(payload))).toBe(true);
    expect(decodeContextMixingChunk(payload, chunk.length, english)).toEqual(chunk);
  });

  it('refuse an index on a cold chunk and an index past the limit', () => {
    const chunk = codeChunk();
    const cold = encodeContextMixingChunk(chunk, null);
    cold[2] = 1 << 1;
    expect(() => decodeContextMixingChunk(cold, chunk.length, [])).toThrow(/names a prior .* but is not primed/);
    expect(() => encodeContextMixingChunk(chunk, null, 8)).toThrow(RangeError);
  });
});

describe("the 'cm' codec with several priors", () => {
  it('lists them in its params, primes each chunk with the one chosen, and decodes from the params', async () => {
    const chunk = codeChunk();
    const codec = createContextMixingCodec({ resourcesDir: dir, use: ['english', 'code'] });
    const refs = [PriorStore.open(dir, 'english').ref, PriorStore.open(dir, 'code').ref];
    expect(codec.params.priors).toEqual(refs);
    expect(codec.params.prior).toEqual(refs[0]);
    expect(codec.models).toEqual(refs);
    // A block of code tries the code prior and the English one on its first bytes; on code, code wins.
    const [encoded] = await codec.encodeBatch([chunk], undefined, undefined, { kind: 'code' });
    expect(encoded!.payload[2]).toBe(3);

    const params = JSON.parse(JSON.stringify(codec.params)) as Record<string, unknown>;
    const decoder = createContextMixingCodec({ resourcesDir: dir, priors: priorsFromParams(params) });
    const [decoded] = await decoder.decodeBatch([{ payload: encoded!.payload, rawSize: chunk.length }]);
    expect(decoded).toEqual(chunk);
  });

  it('tries every bundled prior on a long prose block (code without an extension), and only the English one on a shorter', async () => {
    const codec = createContextMixingCodec({ resourcesDir: dir, use: ['english', 'code'] });
    const short = codeChunk();
    const long = codeChunk(PROBE_EVERY_PRIOR_MIN_BYTES);
    expect(short.length).toBeLessThan(PROBE_EVERY_PRIOR_MIN_BYTES);
    const encoded = await codec.encodeBatch([short, long], undefined, undefined, { kind: 'prose' });
    // Flags: bit 0 primed, bits 1-3 the prior's index (0 english, 1 code).
    expect(encoded.map((e) => e.payload[2])).toEqual([1, 3]);
    const decoded = await codec.decodeBatch(encoded.map((e, i) => ({ payload: e.payload, rawSize: [short, long][i]!.length })));
    expect(decoded).toEqual([short, long]);
  });

  it('keeps an english-only header as before packs (no priors list)', () => {
    const codec = createContextMixingCodec({ resourcesDir: dir, use: ['english'] });
    expect(codec.params).toEqual({ payloadVersion: LATEST_REVISION, prior: PriorStore.open(dir).ref });
    expect(priorsFromParams(codec.params)).toBeUndefined();
  });

  it('refuses a chunk whose prior this build lacks, naming it, and still decodes the others', async () => {
    const chunks = [codeChunk(), codeChunk().reverse()];
    const codec = createContextMixingCodec({ resourcesDir: dir, use: ['english', 'code'] });
    const encoded = [
      (await codec.encodeBatch([chunks[0]!], undefined, undefined, { kind: 'code' }))[0]!,
      (await codec.encodeBatch([chunks[1]!], undefined, undefined, { kind: 'prose' }))[0]!,
    ];
    expect(encoded[0]!.payload[2]).toBe(3);
    expect(encoded[1]!.payload[2]).toBe(1);
    const code = PriorStore.open(dir, 'code').ref;
    const decoder = createContextMixingCodec({ resourcesDir: onlyEnglish, priors: priorsFromParams(codec.params) });
    const [english] = await decoder.decodeBatch([{ payload: encoded[1]!.payload, rawSize: chunks[1]!.length }]);
    expect(english).toEqual(chunks[1]);
    const attempt = decoder.decodeBatch([{ payload: encoded[0]!.payload, rawSize: chunks[0]!.length }]);
    await expect(attempt).rejects.toThrow(new RegExp(`needs model ${code.name} \\(sha256 ${code.sha256}\\)`));
    await expect(attempt).rejects.toMatchObject({ code: 'missing-model' });
  });
});

describe('a block with several candidate priors', () => {
  /** What every build wrote: each candidate codes the first PRIOR_PROBE_BYTES, the smallest codes the block. */
  function probedThenCoded(chunk: Uint8Array, candidates: { store: PriorStore; index: number }[]): { payload: Uint8Array; winner: number } {
    const sizes = candidates.map((c) => encodeContextMixingChunk(chunk.subarray(0, PRIOR_PROBE_BYTES), c.store, c.index).length);
    const winner = candidates[sizes.indexOf(Math.min(...sizes))]!;
    return { payload: encodeContextMixingChunk(chunk, winner.store, winner.index), winner: winner.index };
  }

  /** Past the probe, so the rest of the block is coded after it. */
  function longText(bytes: number, line: (i: number) => string): Uint8Array {
    const lines: string[] = [];
    for (let i = 0, size = 0; size < bytes; i++) size += lines[lines.push(line(i)) - 1]!.length;
    return encoder.encode(lines.join(''));
  }

  const code = longText(100_000, (i) => `static int parse_${i}(const char *s, size_t n) {\n  for (size_t i = ${i % 7}; i < n; i++) if (!s[i]) return -${i % 3};\n  return 0;\n}\n`);
  const prose = longText(100_000, (i) => `The clocks were striking ${['one', 'two', 'thirteen'][i % 3]}, and Winston slipped through the glass doors ${i % 11} times. `);
  // 1,000 control bytes and then prose: too many for the probe to start primed (1.5%), few enough for the whole
  // block (0.6%). Cold probes tie, so the first listed wins, where primed ones would pick the English prior.
  const binaryStart = new Uint8Array([...new Uint8Array(1000).map((_, i) => i % 7), ...prose, ...prose.subarray(0, 60_000)]);

  it.each([
    ['code, where the first listed prior wins', code, 1],
    ['prose, where the second listed prior wins', prose, 0],
    ['a block whose probe would code cold, where the first listed is taken', binaryStart, 1],
  ] as const)('codes %s to the bytes of probing each prior and then coding the block from the winner', (_, chunk, winner) => {
    const candidates = [
      { store: PriorStore.open(dir, 'code'), index: 1 },
      { store: PriorStore.open(dir, 'english'), index: 0 },
    ];
    const expected = probedThenCoded(chunk, candidates);
    expect(expected.winner).toBe(winner);
    expect(Buffer.from(encodeContextMixingBlock(chunk, candidates)).equals(Buffer.from(expected.payload))).toBe(true);
  });

  it('gives a tie to the first listed prior', () => {
    // One prior listed twice probes to the same size twice; the payload records which index won.
    const candidates = [
      { store: PriorStore.open(dir, 'code'), index: 2 },
      { store: PriorStore.open(dir, 'code'), index: 1 },
    ];
    const expected = probedThenCoded(code, candidates);
    expect(expected.winner).toBe(2);
    expect(Buffer.from(encodeContextMixingBlock(code, candidates)).equals(Buffer.from(expected.payload))).toBe(true);
  });
});

describe('the bundled code and markup priors', () => {
  it.each(['code', 'markup'] as const)('%s matches its manifest, which names its committed text and packages', (id) => {
    const store = PriorStore.open(undefined, id);
    expect(store.manifest.name).toMatch(new RegExp(`^octo-prior-${id}-[0-9a-f]{8}$`));
    expect(createHash('sha256').update(fs.readFileSync(store.file)).digest('hex')).toBe(store.manifest.sha256);
    expect(store.manifest.text.file).toBe(`build/prior/${id}.txt.br`);
    expect(store.manifest.text.sources.some((s) => /@.+\(.+\)/.test(s))).toBe(true);
  });
});
