import type { Job } from 'bullmq';
import { z } from 'zod';
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
  const rows = await ctx.orm.em
    .fork()
    .execute<{ id: string }[]>(
      `select id from mailbox where status in ('active', 'syncing', 'error') order by last_synced_at nulls first`,
    );
  const jobs = ctx.config.sync.calendarSync ? [mailboxSyncJob, calendarSyncJob] : [mailboxSyncJob];
  await ctx.syncQueue.addBulk(
    rows.flatMap((r) =>
      jobs.map((job) => ({
        name: job.name,
        data: { mailboxId: r.id },
        opts: { ...job.options, jobId: job.jobId({ mailboxId: r.id }) },
      })),
    ),
  );
  return { queued: rows.length };
}

export const pollMailboxesJob: JobDefinition<object, { queued: number }> = {
  name: POLL_MAILBOXES,
  schema,
  jobId: () => POLL_MAILBOXES,
  options: { attempts: 1, removeOnComplete: true, removeOnFail: 100 },
  handle,
};
