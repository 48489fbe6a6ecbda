// Runs one task per item, starting them in item order, up to `concurrency` at once, and hands the results out in
// item order. A long first item holds back only the consumer, not the other workers: with a fixed window of
// "the next N items" instead, a 12 MB block would keep a second worker idle for most of its coding time once the
// small blocks after it were done (measured on the curl tree: 2 threads created it in 57 s, one long block's
// time plus the rest). Results finished ahead of the consumer are held in memory, so their weight (bytes) is
// bounded by maxAheadBytes; the item the consumer waits for always runs.
export class OrderedWork<T> {
  readonly #count: number;
  readonly #run: (index: number) => Promise<T>;
  readonly #weight: (index: number) => number;
  readonly #concurrency: number;
  readonly #maxAheadBytes: number;
  readonly #results: (Promise<T> | undefined)[] = [];
  #started = 0;
  #running = 0;
  #consumed = 0;
  /** Weight of the items started and not yet handed out. */
  #held = 0;

  constructor(count: number, run: (index: number) => Promise<T>, options: { weight: (index: number) => number; concurrency: number; maxAheadBytes: number }) {
    this.#count = count;
    this.#run = run;
    this.#weight = options.weight;
    this.#concurrency = Math.max(1, options.concurrency);
    this.#maxAheadBytes = options.maxAheadBytes;
  }

  get remaining(): number {
    return this.#count - this.#consumed;
  }

  /** The next item's result, in order; its weight is released once it is handed out. */
  async next(): Promise<T> {
    const index = this.#consumed;
    if (index >= this.#count) throw new RangeError('no items left');
    this.#pump();
    const result = this.#results[index]!;
    try {
      return await result;
    } finally {
      this.#results[index] = undefined;
      this.#held -= this.#weight(index);
      this.#consumed++;
      this.#pump();
    }
  }

  #pump(): void {
    while (this.#started < this.#count && this.#running < this.#concurrency) {
      const index = this.#started;
      const weight = this.#weight(index);
      if (index > this.#consumed && this.#held + weight > this.#maxAheadBytes) return;
      this.#started++;
      this.#running++;
      this.#held += weight;
      let result: Promise<T>;
      try {
        result = this.#run(index);
      } catch (err) {
        result = Promise.reject(err);
      }
      const settled = () => {
        this.#running--;
        this.#pump();
      };
      result.then(settled, settled);
      this.#results[index] = result;
    }
  }
}
