// Long jobs (create, extract, verify): each gets an id the renderer can cancel by, reports progress as AppEvents,
// and ends with exactly one of job-done, job-failed or job-cancelled.
import type { AppEvent, JobOutcome, Progress } from '../contract.ts';
import { toUserError } from './user-errors.ts';
import { HostFailure } from './engine-client.ts';

export type JobRunner = (job: { signal: AbortSignal; onProgress: (p: Progress) => void }) => Promise<JobOutcome>;

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
}

export class JobRegistry {
  private readonly running = new Map<string, RunningJob>();
  private nextId = 1;

  /** Starts a job and returns its id at once; `emit` receives its events. */
  start(run: JobRunner, emit: (event: AppEvent) => void): string {
    const jobId = `job-${this.nextId++}`;
    const controller = new AbortController();
    const onProgress = (progress: Progress) => {
      if (!controller.signal.aborted) emit({ type: 'job-progress', jobId, progress });
    };
    // The job leaves the registry before its end event goes out, so a listener never sees it still running.
    const end = (event: AppEvent) => {
      this.running.delete(jobId);
      emit(event);
    };
    const done = run({ signal: controller.signal, onProgress }).then(
      // A job that finished just as the user pressed Cancel did finish: report what it did.
      (outcome) => end({ type: 'job-done', jobId, outcome }),
      (err: unknown) => {
        const cancelled = controller.signal.aborted || (err instanceof HostFailure && err.hostError.code === 'cancelled');
        end(cancelled ? { type: 'job-cancelled', jobId } : { type: 'job-failed', jobId, error: toUserError(err) });
      },
    );
    const job: RunningJob = { controller, done };
    this.running.set(jobId, job);
    return jobId;
  }

  /** Asks a job to stop; false when no such job is running (it may have just finished). */
  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  get size(): number {
    return this.running.size;
  }

  /** Cancels everything and waits until every job has reported its end (used on quit). */
  async cancelAll(): Promise<void> {
    const jobs = [...this.running.values()];
    for (const job of jobs) job.controller.abort();
    await Promise.all(jobs.map((j) => j.done));
  }
}
