// OrderedWork: results in item order; a slow first item does not hold back the workers; held results are bounded.
import { describe, expect, it } from 'vitest';
import { OrderedWork } from '../../electron/engine/jobs/ordered-work.ts';

/** A task that finishes when the test says so. */
function gate<T>(value: T) {
  let open!: () => void;
  const promise = new Promise<T>((resolve) => (open = () => resolve(value)));
  return { promise, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OrderedWork', () => {
  it('keeps every worker busy while the first item is slow, and hands results out in order', async () => {
    const gates = [0, 1, 2, 3, 4].map((i) => gate(i));
    const started: number[] = [];
    const work = new OrderedWork(5, (i) => (started.push(i), gates[i]!.promise), { weight: () => 1, concurrency: 2, maxAheadBytes: 100 });
    const first = work.next();
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]); // item 1 done: its worker takes item 2 while item 0 still runs
    gates[2]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[0]!.open();
    gates[3]!.open();
    gates[4]!.open();
    const results = [await first];
    while (work.remaining > 0) results.push(await work.next());
    expect(results).toEqual([0, 1, 2, 3, 4]);
  });

  it('holds at most maxAheadBytes of results ahead of the consumer, but always runs the awaited item', async () => {
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map((i) => gate(i));
    const work = new OrderedWork(4, (i) => (started.push(i), gates[i]!.promise), { weight: () => 10, concurrency: 4, maxAheadBytes: 25 });
    const first = work.next();
    await tick();
    expect(started).toEqual([0, 1]); // 0 (awaited) and 1: a third would hold 30 > 25
    gates[0]!.open();
    expect(await first).toBe(0);
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect([await work.next(), await work.next(), await work.next()]).toEqual([1, 2, 3]);
  });

  it('passes a failure to the consumer at that item, and later items still come', async () => {
    const work = new OrderedWork(3, async (i) => {
      if (i === 1) throw new Error('item 1 failed');
      return i;
    }, { weight: () => 1, concurrency: 2, maxAheadBytes: 10 });
    expect(await work.next()).toBe(0);
    await expect(work.next()).rejects.toThrow('item 1 failed');
    expect(await work.next()).toBe(2);
    await expect(work.next()).rejects.toThrow(RangeError);
  });
});
