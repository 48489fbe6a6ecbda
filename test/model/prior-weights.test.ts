// The mixer sums revision 9's products of inputs and weights two at a time in 32 bits (coder/assembly/mixer.ts),
// which is exact only while every weight lies within ±MAX_WEIGHT: training keeps them there, and a primed stream
// starts from its prior's weights, so each bundled prior must hold that too.
import { describe, expect, it } from 'vitest';
import { PRIOR_IDS, priorStore } from '../../electron/engine/model/prior-store.ts';
import { MAX_WEIGHT } from '../coder/oracle/mixer.ts';

describe('bundled priors', () => {
  it.each(PRIOR_IDS)('%s: every mixer weight lies within ±MAX_WEIGHT', (id) => {
    const sections: Int32Array[] = [];
    priorStore(undefined, id).loadInto((name, n) => {
      if (name !== 'mixer') return null;
      const data = new Int32Array(n);
      sections.push(data);
      return data;
    });
    expect(sections).toHaveLength(1);
    // Slot 0 is the update count; the rest are layer-1 and layer-2 weights.
    const weights = sections[0]!.subarray(1);
    let largest = 0;
    for (const w of weights) largest = Math.max(largest, Math.abs(w));
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(MAX_WEIGHT);
  });
});
