// The context-mixing worker pool: blocks submitted together code on different workers, and the results are the
// bytes the calling thread would code.
import { afterAll, describe, expect, it } from 'vitest';
import { ContextMixingPool } from '../../electron/engine/codecs/cm-pool.ts';
import { encodeContextMixingBlock } from '../../electron/engine/codecs/context-mixing.ts';
import { binarySample, textSample } from './samples.ts';

const pool = new ContextMixingPool(2);
afterAll(() => pool.close());

describe('ContextMixingPool', () => {
  it('codes blocks submitted together on separate workers, to the same bytes as this thread', async () => {
    const blocks = [textSample(20_000), binarySample(20_000, 4)];
    const payloads = await Promise.all(
      blocks.map((block) => {
        const raw = block.slice();
        return pool.run({ kind: 'encode', raw, priors: { resourcesDir: undefined, ids: [] }, candidates: [] }, [raw.buffer]);
      }),
    );
    // Both workers were taken at once: a slot taken only after an await let both blocks onto the first worker.
    expect(pool.started).toBe(2);
    blocks.forEach((block, i) => expect(Buffer.from(payloads[i]!).equals(Buffer.from(encodeContextMixingBlock(block, [])))).toBe(true));
  });
});
