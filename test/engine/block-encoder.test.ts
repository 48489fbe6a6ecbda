// Which codecs meet a block: brotli competes on small blocks and where the learned codec leaves more than a
// quarter of the bytes, and is skipped where the mixer is far ahead (then the summary makes no brotli claim).
import { afterAll, describe, expect, it } from 'vitest';
import { BROTLI_ALWAYS_BYTES, BlockEncoder } from '../../electron/engine/jobs/block-encoder.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
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
});
