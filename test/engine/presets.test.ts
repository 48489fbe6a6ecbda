// What the app tells the user about each preset, held to what the preset does.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET, PRESET_CHOICES, PRESET_IDS, PRESETS } from '../../electron/engine/index.ts';

describe('preset choices', () => {
  it('cover every preset once, in the order of PRESET_IDS, each with a label and one sentence', () => {
    expect(PRESET_CHOICES.map((c) => c.id)).toEqual([...PRESET_IDS]);
    expect(Object.keys(PRESETS).sort()).toEqual([...PRESET_IDS].sort());
    expect(PRESET_IDS).toContain(DEFAULT_PRESET);
    for (const c of PRESET_CHOICES) {
      expect(c.label).toMatch(/^[A-Z]/);
      expect(c.description).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('mention the network (or a model) exactly where the preset uses it', () => {
    for (const { id, description } of PRESET_CHOICES) {
      expect(/network|model/i.test(description), `${id}: "${description}"`).toBe(PRESETS[id].codecs.includes('neural'));
    }
  });
});
