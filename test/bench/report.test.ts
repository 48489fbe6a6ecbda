// docs/BENCHMARK.md's sections: running one benchmark must keep the others' results as they were.
import { describe, expect, it } from 'vitest';
import { parseSections, renderReport } from './report.ts';

const legacy = '<!-- Written by `npm run bench` (test/bench/bench.ts); rerun it rather than editing by hand. -->\n# Benchmark\n\nMeasured then.\n\n| a | b |\n';

describe('benchmark report sections', () => {
  it('reads a report from before sections as the Canterbury section', () => {
    expect([...parseSections(legacy)]).toEqual([['canterbury', 'Measured then.\n\n| a | b |']]);
  });

  it('replaces one section and keeps the other as it was, Canterbury first', () => {
    const sections = parseSections(renderReport(new Map([['trees', '## Trees\n\nold']])));
    sections.set('canterbury', 'Measured now.\n\n| c |');
    const once = renderReport(sections);
    const back = parseSections(once);
    back.set('trees', '## Trees\n\nnew');
    const twice = parseSections(renderReport(back));
    expect([...twice]).toEqual([
      ['canterbury', 'Measured now.\n\n| c |'],
      ['trees', '## Trees\n\nnew'],
    ]);
    expect(once.indexOf('section: canterbury')).toBeLessThan(once.indexOf('section: trees'));
  });

  it('reads an empty report as no sections', () => {
    expect(parseSections('').size).toBe(0);
  });
});
