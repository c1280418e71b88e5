import type { JobRun } from './job-definition.ts';

/** Thrown when a job made no progress for the watchdog's whole budget; retried as transient. */
export class JobWatchdogError extends Error {
  override readonly name = 'JobWatchdogError';
}

/**
 * Thrown when the worker cancelled the run because it could not renew the job's lock: the job is
 * no longer this process's (create-worker.ts), so it is neither retried nor reported from here.
 */
export class JobLockLostError extends Error {
  override readonly name = 'JobLockLostError';
}

/**
 * A job's watchdog. BullMQ renews a running job's lock for as long as the process lives, so a
 * handler stuck on a call that never answers (a black-holed connection) would hold its mailbox
 * for ever. `guard` races the handler against "no progress for `idleMs`": each `progress()`
 * restarts the clock; when it runs out, the run is aborted (`signal`) and `guard` rejects with a
 * JobWatchdogError, which the retry policy treats as transient. The stuck call itself cannot be
 * cancelled from here (provider timeouts are the adapters' job); the abort makes whatever the
 * handler tries next fail at once (watch-progress.ts), so it cannot race the retry for long.
 */
export class JobWatchdog implements JobRun {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private fire: ((err: Error) => void) | null = null;
  private readonly idleMs: number;
  /** The worker's request to stop at the next checkpoint (job-definition.ts `JobRun.stop`). */
  readonly stop: AbortSignal;

  /**
   * `outer` aborts the run from outside too (the worker cancels a job whose lock it lost); `stop` is
   * handed to the job as it is (the watchdog does not act on it).
   */
  constructor(
    idleMs: number,
    outer?: AbortSignal,
    stop: AbortSignal = new AbortController().signal,
  ) {
    this.idleMs = idleMs;
    this.stop = stop;
    outer?.addEventListener('abort', () => {
      this.abort(new JobLockLostError('the job lost its lock'));
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  progress(): void {
    if (this.fire && !this.signal.aborted) {
      this.arm();
    }
  }

  async guard<T>(work: (run: JobRun) => Promise<T>): Promise<T> {
    const stalled = new Promise<never>((_, reject) => {
      this.fire = reject;
    });
    this.arm();
    try {
      return await Promise.race([work(this), stalled]);
    } finally {
      this.clear();
      this.fire = null;
    }
  }

  private arm(): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.abort(
        new JobWatchdogError(`no progress for ${Math.round(this.idleMs / 1000)} s; retrying`),
      );
    }, this.idleMs);
    this.timer.unref();
  }

  private abort(err: Error): void {
    if (this.signal.aborted) {
      return;
    }
    this.clear();
    this.controller.abort(err);
    this.fire?.(err);
  }

  private clear(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
