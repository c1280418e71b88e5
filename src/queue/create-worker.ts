import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_REGISTRY } from '../../jobs/index.ts';
import { decideRetry, isFinalAttempt } from '../sync/decide-retry.ts';
import type { JobContext } from './job-context.ts';
import { markError, markReauthRequired, recordLastError } from './mailbox-health.ts';
import { SYNC_QUEUE } from './queues.ts';

/**
 * The sync worker: dispatches on job.name through the registry, validates job data, and applies
 * the retry policy (decide-retry.ts) to whatever a handler throws.
 */
export function createSyncWorker(ctx: JobContext, connection: Redis): Worker {
  const worker = new Worker(SYNC_QUEUE, (job, token) => processJob(ctx, job, token), {
    connection,
    prefix: ctx.config.sync.queuePrefix,
    concurrency: ctx.config.sync.concurrency,
    // Above the slowest provider call; BullMQ renews the lock while the job runs, and a job whose
    // worker died is handed to another worker once the lock has expired.
    lockDuration: ctx.config.sync.jobLockSeconds * 1000,
    stalledInterval: ctx.config.sync.jobLockSeconds * 1000,
    autorun: true,
  });
  worker.on('error', (err) => {
    ctx.log.error({ err }, 'worker error');
  });
  return worker;
}

async function processJob(ctx: JobContext, job: Job, token: string | undefined): Promise<unknown> {
  const def = JOB_REGISTRY.get(job.name);
  if (!def) {
    throw new UnrecoverableError(`no handler for job ${job.name}`);
  }
  const parsed = def.schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid data for job ${job.name}`);
  }
  try {
    return await def.handle(job as Job<never>, parsed.data, ctx);
  } catch (err) {
    const mailboxId = (job.data as { mailboxId?: string }).mailboxId;
    const message = err instanceof Error ? err.message : String(err);
    const decision = decideRetry(err);
    const em = ctx.orm.em.fork();
    ctx.log.warn({ job: job.name, mailboxId, decision, error: message }, 'job failed');
    switch (decision.action) {
      case 'delay':
        if (mailboxId) {
          await recordLastError(
            em,
            mailboxId,
            `rate limited; retrying in ${Math.round(decision.delayMs / 1000)} s`,
          );
        }
        await job.moveToDelayed(Date.now() + decision.delayMs, token);
        throw new DelayedError();
      case 'reauth':
        if (mailboxId) {
          await markReauthRequired(em, mailboxId, message);
        }
        throw new UnrecoverableError(message);
      case 'fail':
        if (mailboxId) {
          await markError(em, mailboxId, message);
        }
        throw new UnrecoverableError(message);
      case 'retry':
        if (mailboxId) {
          if (isFinalAttempt(job.attemptsMade, job.opts.attempts)) {
            await markError(em, mailboxId, message);
          } else {
            await recordLastError(em, mailboxId, message);
          }
        }
        throw err;
    }
  }
}
