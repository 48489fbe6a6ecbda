// Turns the network's 256 byte frequencies into per-bit probabilities for the binary decomposition (MSB first):
// a sum tree in heap order where node c0 (the partial byte with a leading 1) holds the total frequency of the
// bytes that start with c0's bits. P(next bit = 1) = sum(1-child) / sum(node), computed in integers.

/** Frequencies are clamped to this range so sums stay far inside exact double arithmetic. */
const MAX_FREQ = 1 << 20;

export class NetworkTree {
  private readonly sums = new Float64Array(512);
  active = false;

  /** Loads the coming byte's frequencies (each >= 1; smaller or invalid values count as 1), or null for none. */
  load(freq: Int32Array | null): void {
    if (freq === null) {
      this.active = false;
      return;
    }
    this.active = true;
    const s = this.sums;
    for (let i = 0; i < 256; i++) {
      const f = freq[i] | 0;
      s[256 + i] = f < 1 ? 1 : f > MAX_FREQ ? MAX_FREQ : f;
    }
    for (let k = 255; k >= 1; k--) s[k] = s[2 * k] + s[2 * k + 1];
  }

  /** P(next bit = 1) as 12 bits clamped to 1..4095, given the partial byte c0 (1..255). */
  p1(c0: number): number {
    const s = this.sums;
    // Both sums are integers below 2^29, so the quotient's floor is exact.
    const p = Math.floor((s[2 * c0 + 1] * 4096) / s[c0]);
    return p < 1 ? 1 : p > 4095 ? 4095 : p;
  }
}
