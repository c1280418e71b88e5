import type { Job } from 'bullmq';
import { z } from 'zod';
import { mailboxIdsToPoll } from '../src/db/repositories/mailbox.repository.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import { jobOptionsFor, type JobDefinition } from '../src/queue/job-definition.ts';
import { calendarSyncJob } from './calendar-sync.job.ts';
import { mailboxSyncJob } from './mailbox-sync.job.ts';

/**
 * The scheduler's tick: queues a mail and a calendar sync for every mailbox that can sync.
 * Deterministic deduplication ids make this safe to run as often as we like: a mailbox whose sync
 * is already queued is not queued twice, and one whose sync is running gets one follow-up run. A
 * mailbox left `syncing` by a worker that died (stale) is among those queued, so it recovers.
 */
export const POLL_MAILBOXES = 'poll-mailboxes';

const schema = z.object({}).strict();

async function handle(
  _job: Job<object>,
  _data: object,
  ctx: JobContext,
): Promise<{ queued: number }> {
  const ids = await mailboxIdsToPoll(ctx.orm.em.fork());
  const jobs = ctx.config.sync.calendarSync ? [mailboxSyncJob, calendarSyncJob] : [mailboxSyncJob];
  await ctx.syncQueue.addBulk(
    ids.flatMap((mailboxId) =>
      jobs.map((job) => ({
        name: job.name,
        data: { mailboxId },
        opts: jobOptionsFor(job, { mailboxId }),
      })),
    ),
  );
  return { queued: ids.length };
}

export const pollMailboxesJob: JobDefinition<object, { queued: number }> = {
  name: POLL_MAILBOXES,
  schema,
  deduplicationId: () => POLL_MAILBOXES,
  options: { attempts: 1, removeOnComplete: true, removeOnFail: 100 },
  handle,
};
