// A deterministic stand-in for the network's output in tests: byte frequencies from an order-1 count of the
// history so far. It is a test input (some plausible distribution), not a mock of any product code.

export function order1Frequencies(i: number, history: Uint8Array): Int32Array {
  const freq = new Int32Array(256).fill(1);
  if (i === 0) return freq;
  const prev = history[i - 1];
  // Count successors of prev over a bounded window, so long inputs stay fast.
  for (let j = Math.max(1, i - 4096); j < i; j++) if (history[j - 1] === prev) freq[history[j]] += 64;
  return freq;
}
