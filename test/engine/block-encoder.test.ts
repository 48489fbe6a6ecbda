// Which codecs meet a block: brotli competes on small blocks and where the learned codec leaves more than a
// quarter of the bytes, and is skipped where the mixer is far ahead (then the summary makes no brotli claim).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BROTLI_ALWAYS_BYTES, BlockEncoder } from '../../electron/engine/jobs/block-encoder.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { LATEST_REVISION } from '../../electron/engine/coder/wasm-coder.ts';
import { priorStore } from '../../electron/engine/model/prior-store.ts';
import { binarySample, textSample } from '../codec/samples.ts';

const encoders: BlockEncoder[] = [];
afterAll(async () => {
  for (const e of encoders) await e.close();
});

async function encoder(preset: keyof typeof PRESETS): Promise<BlockEncoder> {
  const e = await BlockEncoder.open(PRESETS[preset], 0, []);
  encoders.push(e);
  return e;
}

/** Bytes no codec can shrink (xorshift32). */
function noise(bytes: number): Uint8Array {
  let x = 0x9e3779b9;
  return Uint8Array.from({ length: bytes }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 255;
  });
}

describe('the block encoder', () => {
  it('skips brotli on a large block the mixer codes to under a quarter, and says it made no comparison', async () => {
    const text = textSample(BROTLI_ALWAYS_BYTES + 4096);
    const block = await (await encoder('balanced')).encode(text, 'prose');
    expect(block.codec).toBe('cm');
    expect(block.payload.length).toBeLessThan(text.length / 4);
    expect(block.classicalBytes).toBeNull();
  });

  it('lets brotli compete on a small block, and reports its size', async () => {
    const text = textSample(64 * 1024);
    const block = await (await encoder('balanced')).encode(text, 'prose');
    expect(block.codec).toBe('cm');
    expect(block.classicalBytes).toBeGreaterThan(block.payload.length);
  });

  it('lets brotli compete on a large block the mixer cannot shrink much; store wins random bytes', async () => {
    const random = noise(BROTLI_ALWAYS_BYTES + 4096);
    const block = await (await encoder('balanced')).encode(random, 'binary');
    expect(block.classicalBytes).not.toBeNull();
    expect(block.codec).toBe('store');
    const structured = binarySample(BROTLI_ALWAYS_BYTES + 4096, 3);
    const other = await (await encoder('balanced')).encode(structured, 'binary');
    expect(other.payload.length).toBeLessThanOrEqual(Math.min(other.classicalBytes ?? Infinity, structured.length));
  });

  it('fast has only brotli, which always runs', async () => {
    const text = textSample(BROTLI_ALWAYS_BYTES + 4096);
    const block = await (await encoder('fast')).encode(text, 'prose');
    expect(block.codec).toBe('brotli');
    expect(block.classicalBytes).toBe(block.payload.length);
  });

  it('codes blocks that join an archive with the priors its header lists, in its order, and keeps its params', async () => {
    // An archive from before the code and markup priors lists the English one alone: a payload naming prior 1
    // would point past that list, and the archive could not be read.
    const english = priorStore().ref;
    const existing = { cm: { payloadVersion: 3, prior: english } };
    const joining = await BlockEncoder.open(PRESETS.balanced, 0, [], existing);
    encoders.push(joining);
    // Real code, which the code prior codes best: this engine's own source.
    const code = new Uint8Array(fs.readFileSync(new URL('../../electron/engine/format/archive-editor.ts', import.meta.url)));
    const block = await joining.encode(code, 'code');
    expect([block.codec, block.payload[2]]).toEqual(['cm', 1]);
    expect(joining.headerRecords().codecParams.cm).toEqual({ payloadVersion: LATEST_REVISION, prior: english });
    // A new archive's encoder lists every bundled prior and codes this block with the code prior (index 1).
    const fresh = await (await encoder('balanced')).encode(code, 'code');
    expect(fresh.payload[2]).toBe(1 | (1 << 1));
  });
});

