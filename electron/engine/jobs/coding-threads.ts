// How many blocks code at once, and how much may wait: shared by create, extract, verify and compact.
import os from 'node:os';

/**
 * Worker threads for coding: the caller's choice, or every core, but no more than there are blocks. 0 (code on
 * this thread: no worker to start, no prior to load again) for jobs under PARALLEL_MIN_BYTES, where starting
 * workers took longer than the coding (a 16 KB archive of 3 blocks: 7-8 s with workers from source, 0.5-0.9 s
 * without). Anything larger codes on workers even with one thread, so this thread stays free to hear a cancel and
 * pass progress on (a 16 MiB block codes for about a minute).
 */
export function codingThreads(requested: number | undefined, blocks: number, bytes: number): number {
  if (requested === undefined && bytes < PARALLEL_MIN_BYTES) return 0;
  return Math.max(1, Math.min(requested ?? os.availableParallelism(), blocks));
}
const PARALLEL_MIN_BYTES = 1024 * 1024;

/**
 * Raw bytes of blocks coded ahead of the one being written or handed out (jobs/ordered-work.ts): enough for a
 * few preset blocks while one long block codes, and a bound on what a job holds in memory beyond them.
 */
export const AHEAD_BYTES = 64 * 1024 * 1024;
