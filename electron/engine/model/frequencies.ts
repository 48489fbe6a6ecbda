// From one row of integer logits to 256 coder frequencies, exactly as docs/MODEL.md defines it, in integer code only:
// freq_i = probTable[min((max - logit_i) >> outShift, probTable.length - 1)]. Every entry of probTable is >= 1, so
// every byte keeps a non-zero frequency and stays codable whatever the network says.
import type { ModelManifest } from './manifest.ts';

export class FrequencyTable {
  readonly #table: Int32Array;
  readonly #outShift: number;
  /** Logit gaps at or beyond this map to the last table entry. */
  readonly #saturation: number;

  constructor(manifest: Pick<ModelManifest, 'probTable' | 'architecture'>) {
    this.#table = Int32Array.from(manifest.probTable);
    this.#outShift = manifest.architecture.outShift;
    // Computed in doubles only to decide clamping: (len - 1) << outShift fits far inside 2^53.
    this.#saturation = (this.#table.length - 1) * 2 ** this.#outShift;
  }

  /** Writes frequencies for the row of 256 logits starting at logits[offset] into out (Int32Array(256)). */
  fill(logits: Int32Array, offset: number, out: Int32Array): Int32Array {
    let max = logits[offset]!;
    for (let i = 1; i < 256; i++) {
      const v = logits[offset + i]!;
      if (v > max) max = v;
    }
    const table = this.#table;
    const last = table.length - 1;
    const shift = this.#outShift;
    const saturation = this.#saturation;
    for (let i = 0; i < 256; i++) {
      // max - logit of two int32s is an exact integer in [0, 2^32), so the unsigned shift is exact.
      const gap = max - logits[offset + i]!;
      out[i] = gap >= saturation ? table[last]! : table[gap >>> shift]!;
    }
    return out;
  }

  /** Frequencies for row `row` of a rows x 256 logits array, in a new array. */
  row(logits: Int32Array, row: number): Int32Array {
    return this.fill(logits, row * 256, new Int32Array(256));
  }
}
