import type { Job } from 'bullmq';
import { z } from 'zod';
import { mailboxIdsToPoll } from '../src/db/repositories/mailbox.repository.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import type { JobDefinition } from '../src/queue/job-definition.ts';
import { calendarSyncJob } from './calendar-sync.job.ts';
import { mailboxSyncJob } from './mailbox-sync.job.ts';

/**
 * The scheduler's tick: queues a mail and a calendar sync for every mailbox that can sync. Deterministic job ids make
 * this safe to run as often as we like: a mailbox whose sync is already queued or running is not
 * queued twice.
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
        opts: { ...job.options, jobId: job.jobId({ mailboxId }) },
      })),
    ),
  );
  return { queued: ids.length };
}

export const pollMailboxesJob: JobDefinition<object, { queued: number }> = {
  name: POLL_MAILBOXES,
  schema,
  jobId: () => POLL_MAILBOXES,
  options: { attempts: 1, removeOnComplete: true, removeOnFail: 100 },
  handle,
};
