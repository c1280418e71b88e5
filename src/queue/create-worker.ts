import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { decideRetry, isFinalAttempt, type RetryDecision } from './decide-retry.ts';
import type { JobContext } from './job-context.ts';
import type { JobDefinition, JobRegistry } from './job-definition.ts';
import { SYNC_QUEUE } from './queues.ts';

/**
 * The sync worker: dispatches on job.name through the registry it is given, validates job data,
 * and applies the retry policy (decide-retry.ts) to whatever a handler throws. What a failure means
 * for the job's subject (a mailbox's status) is the job's own `onFailure`.
 */
export function createSyncWorker(
  ctx: JobContext,
  registry: JobRegistry,
  connection: Redis,
  /** Where the worker's `error` events go (the process's Redis outage log); logged by default. */
  onError: (err: Error) => void = (err) => {
    ctx.log.error({ err }, 'worker error');
  },
): Worker {
  const worker = new Worker(SYNC_QUEUE, (job, token) => processJob(ctx, registry, job, token), {
    connection,
    prefix: ctx.config.sync.queuePrefix,
    concurrency: ctx.config.sync.concurrency,
    // Above the slowest provider call; BullMQ renews the lock while the job runs, and a job whose
    // worker died is handed to another worker once the lock has expired.
    lockDuration: ctx.config.sync.jobLockSeconds * 1000,
    stalledInterval: ctx.config.sync.jobLockSeconds * 1000,
    autorun: true,
  });
  worker.on('error', onError);
  return worker;
}

async function processJob(
  ctx: JobContext,
  registry: JobRegistry,
  job: Job,
  token: string | undefined,
): Promise<unknown> {
  const def = registry.get(job.name) as JobDefinition | undefined;
  if (!def) {
    throw new UnrecoverableError(`no handler for job ${job.name}`);
  }
  const parsed = def.schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid data for job ${job.name}`);
  }
  try {
    return await def.handle(job, parsed.data, ctx);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const decision = decideRetry(err);
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
        throw err;
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
