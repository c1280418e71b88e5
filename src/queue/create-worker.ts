import { hostname } from 'node:os';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { recordSyncRun } from '../observability/metrics.ts';
import { decideRetry, isFinalAttempt, type RetryDecision } from './decide-retry.ts';
import { failureDetails, failureReason } from './failure-reason.ts';
import type { JobContext } from './job-context.ts';
import type { JobDefinition, JobRegistry } from './job-definition.ts';
import { SYNC_QUEUE } from './queues.ts';
import { JobLockLostError, JobWatchdog } from './watchdog.ts';

/** The reason a closing worker's running jobs are asked to stop with (`JobRun.stop`). */
export class WorkerClosingError extends Error {
  override readonly name = 'WorkerClosingError';
}

/**
 * The sync worker: dispatches on job.name through the registry it is given, validates job data,
 * and applies the retry policy (decide-retry.ts) to whatever a handler throws. What a failure means
 * for the job's subject (a mailbox's status) is the job's own `onFailure`. `queueName` is the
 * shared sync queue, or the private queue of one `sync --mailbox` run (run-sync-now.ts).
 *
 * Closing the worker (`worker.close()`, on SIGTERM) asks its running jobs to stop at their next
 * checkpoint (`JobRun.stop`). A job that does hands itself back: it is moved from active to
 * waiting with its lock released, no attempt used, so another worker resumes it from the
 * checkpoint at once instead of after the lock expires, and the closing worker exits within
 * seconds instead of running a backfill into the shutdown deadline.
 */
export function createSyncWorker(
  ctx: JobContext,
  registry: JobRegistry,
  connection: Redis,
  queueName: string = SYNC_QUEUE,
  /** Where the worker's `error` events go (the process's Redis outage log); logged by default. */
  onError: (err: Error) => void = (err) => {
    ctx.log.error({ err }, 'worker error');
  },
): Worker {
  const closing = new AbortController();
  const processor = (job: Job, token: string | undefined, signal: AbortSignal | undefined) =>
    processJob(ctx, registry, job, token, signal, closing.signal);
  const worker = new Worker(queueName, processor, { connection, ...workerOptions(ctx) });
  // BullMQ emits `closing` before it waits for the running jobs.
  worker.once('closing', () => {
    closing.abort(new WorkerClosingError('the worker is closing'));
  });
  worker.on('error', onError);
  // BullMQ only reports a lock it could not renew (Redis lost its data, or the lock ran out while
  // this process was starved and the stalled check handed the job on); the run itself goes on, now
  // beside the one the poll or another worker started: two syncs of one mailbox at once. Cancelling
  // aborts the run's signal, which its watchdog turns into a JobLockLostError.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) {
      worker.cancelJob(jobId, 'lock lost');
    }
  });
  worker.on('failed', (job, err) => {
    if (job?.deferredFailure) {
      void recordStalledFailure(ctx, registry, job, err.message);
    }
  });
  return worker;
}

/**
 * Only the stalled-job check of the shared queue, for a `sync --mailbox` run that waits for its
 * mailbox's job there: when the worker that ran it died and no worker process is left to notice,
 * this hands the job back (or fails it) once its lock has expired, instead of waiting for ever.
 * It never fetches a job.
 */
export async function startStalledCheck(ctx: JobContext, connection: Redis): Promise<Worker> {
  const checker = new Worker(SYNC_QUEUE, null, {
    connection,
    ...workerOptions(ctx),
    autorun: false,
  });
  checker.on('error', (err) => {
    ctx.log.error({ err }, 'stalled check error');
  });
  await checker.startStalledCheckTimer();
  return checker;
}

/**
 * Which process runs a job: BullMQ stores the worker's name on each job it takes (`processedBy`)
 * and in its Redis connection's name, so an operator (or a test killing workers) can tell which
 * of several worker processes holds a stuck or running job.
 */
export const WORKER_NAME = `${hostname()}:${String(process.pid)}`;

function workerOptions(ctx: JobContext) {
  return {
    name: WORKER_NAME,
    prefix: ctx.config.sync.queuePrefix,
    concurrency: ctx.config.sync.concurrency,
    // Above the slowest provider call; BullMQ renews the lock while the job runs, and a job whose
    // worker died is handed to another worker once the lock has expired.
    lockDuration: ctx.config.sync.jobLockSeconds * 1000,
    stalledInterval: ctx.config.sync.jobLockSeconds * 1000,
    // A sync resumes from its checkpoint, so a job whose worker died is worth a few more tries
    // (BullMQ's default of 1 failed it on the second crash); past that it fails and is kept.
    maxStalledCount: ctx.config.sync.maxStalledCount,
    autorun: true,
  };
}

/**
 * A job that stalled more than `maxStalledCount` times is failed by BullMQ itself, without the
 * processor running: the job's owner is told here, or a mailbox would say `syncing` for ever.
 */
async function recordStalledFailure(
  ctx: JobContext,
  registry: JobRegistry,
  job: Job,
  reason: string,
): Promise<void> {
  const def = registry.get(job.name) as JobDefinition | undefined;
  const parsed = def?.schema.safeParse(job.data);
  if (!def?.onFailure || !parsed?.success) {
    return;
  }
  const message = `its worker stopped ${ctx.config.sync.maxStalledCount + 1} times while running it (${reason}); the next poll tries again`;
  ctx.log.error({ job: job.name, jobId: job.id }, `job failed: ${message}`);
  try {
    await def.onFailure(parsed.data, { decision: { action: 'fail' }, message, final: true }, ctx);
  } catch (err) {
    ctx.log.error({ err, job: job.name, jobId: job.id }, 'stalled job failure not recorded');
  }
}

async function processJob(
  ctx: JobContext,
  registry: JobRegistry,
  job: Job,
  token: string | undefined,
  signal: AbortSignal | undefined,
  stop: AbortSignal,
): Promise<unknown> {
  const def = registry.get(job.name) as JobDefinition | undefined;
  if (!def) {
    throw new UnrecoverableError(`no handler for job ${job.name}`);
  }
  const parsed = def.schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid data for job ${job.name}`);
  }
  const watchdog = new JobWatchdog(ctx.config.sync.jobWatchdogSeconds * 1000, signal, stop);
  const started = performance.now();
  const recordRun = (outcome: string) => {
    if (def.syncKind) {
      recordSyncRun(def.syncKind, outcome, (performance.now() - started) / 1000);
    }
  };
  try {
    const result = await watchdog.guard((run) => def.handle(job, parsed.data, ctx, run));
    recordRun(isSkipped(result) ? 'skipped' : 'ok');
    return result;
  } catch (err) {
    if (err instanceof JobLockLostError) {
      // Whoever holds the job now reports on its subject; a failure recorded from here could put
      // an error on a mailbox that run has just synced. BullMQ cannot finish a job it lost either.
      recordRun('lock_lost');
      ctx.log.warn({ job: job.name, jobId: job.id }, 'job lost its lock; stopped');
      throw err;
    }
    if (stop.aborted && err === stop.reason) {
      // Stopped at a checkpoint because the worker is closing: not a failure, no attempt used.
      await job.moveToWait(token);
      recordRun('handed_back');
      ctx.log.info(
        { job: job.name, jobId: job.id },
        'job handed back to the queue: worker closing',
      );
      throw new WaitingError();
    }
    // A short classified reason everywhere it is shown (never SQL or bodies); details at debug.
    const message = failureReason(err);
    ctx.log.debug({ job: job.name, jobId: job.id, ...failureDetails(err) }, 'job failure details');
    const decision = decideRetry(err);
    recordRun(decision.action);
    if (decision.action === 'config') {
      // One line for the operator, naming the setting to fix; no retry can help.
      ctx.log.error(
        { job: job.name, jobId: job.id, decision },
        `${message}; job stopped without retrying`,
      );
    } else {
      ctx.log.warn({ job: job.name, jobId: job.id, decision, error: message }, 'job failed');
    }
    const final = isFinal(decision, job);
    await def.onFailure?.(parsed.data, { decision, message, final }, ctx);
    switch (decision.action) {
      case 'delay':
        await job.moveToDelayed(Date.now() + decision.delayMs, token);
        throw new DelayedError();
      case 'reauth':
      case 'fail':
      case 'config':
        throw new UnrecoverableError(message);
      case 'retry':
        // BullMQ keeps the thrown message as the job's failed reason, in Redis and for the CLI.
        throw new Error(message, { cause: err });
    }
  }
}

function isFinal(decision: RetryDecision, job: Job): boolean {
  switch (decision.action) {
    case 'delay':
      return false;
    case 'reauth':
    case 'fail':
    case 'config':
      return true;
    case 'retry':
      return isFinalAttempt(job.attemptsMade, job.opts.attempts);
  }
}

/** A job that chose not to run (`{ skipped: why }`, a deleted or disconnected mailbox). */
function isSkipped(result: unknown): boolean {
  return typeof result === 'object' && result !== null && 'skipped' in result;
}
