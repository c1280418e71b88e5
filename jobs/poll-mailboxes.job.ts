import type { Job } from 'bullmq';
import { z } from 'zod';
import {
  claimDueMailboxes,
  releaseClaimedMailboxes,
} from '../src/db/repositories/mailbox-poll.repository.ts';
import { recordPollLag } from '../src/observability/metrics.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import { jobOptionsFor, type JobDefinition } from '../src/queue/job-definition.ts';
import { calendarSyncJob } from './calendar-sync.job.ts';
import { mailboxSyncJob } from './mailbox-sync.job.ts';

/**
 * The fleet scheduler's tick (every MAILROOM_POLL_TICK_SECONDS): queues a mail and a calendar
 * sync for each mailbox that is due, and only those (mailbox-poll.repository.ts says which and
 * when each is due next), so 10,000 mailboxes are polled a few dozen a second, spread by jitter,
 * not all at once every interval. It claims in bounded batches until none is due; each claim
 * reschedules what it took in the same statement, under `skip locked`, so two ticks at once
 * (two workers) never queue a mailbox twice. A mailbox left `syncing` by a worker that died
 * (stale) is claimed too, so it recovers without waiting for its next poll. The deterministic
 * deduplication ids keep this a no-op for a mailbox whose sync is already queued (a push woke
 * it), and one follow-up run for one whose sync is running.
 */
export const POLL_MAILBOXES = 'poll-mailboxes';

/** Batches one tick claims at most; the rest are claimed by the next tick (and show as lag). */
const MAX_BATCHES_PER_TICK = 20;

const schema = z.object({}).strict();

async function handle(
  _job: Job<object>,
  _data: object,
  ctx: JobContext,
): Promise<{ queued: number }> {
  const { sync } = ctx.config;
  const jobs = sync.calendarSync ? [mailboxSyncJob, calendarSyncJob] : [mailboxSyncJob];
  const intervals = {
    normalSeconds: sync.pollIntervalSeconds,
    pushHealthySeconds: sync.pushPollIntervalSeconds,
    // The same two lock periods a running sync's heartbeat keeps it alive for (mailbox-job.ts).
    recoverySeconds: 2 * sync.jobLockSeconds,
  };
  let queued = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
    const claimed = await claimDueMailboxes(ctx.orm.em.fork(), sync.pollBatchSize, intervals);
    if (claimed.length === 0) {
      break;
    }
    try {
      await ctx.syncQueue.addBulk(
        claimed.flatMap(({ id: mailboxId }) =>
          jobs.map((job) => ({
            name: job.name,
            data: { mailboxId },
            opts: jobOptionsFor(job, { mailboxId }),
          })),
        ),
      );
    } catch (err) {
      // Claimed means rescheduled: without this their polls would be lost for an interval.
      await releaseClaimedMailboxes(
        ctx.orm.em.fork(),
        claimed.map((c) => c.id),
      );
      throw err;
    }
    for (const { lagSeconds } of claimed) {
      if (lagSeconds !== null) {
        recordPollLag(lagSeconds);
      }
    }
    queued += claimed.length;
    if (claimed.length < sync.pollBatchSize) {
      break;
    }
  }
  return { queued };
}

export const pollMailboxesJob: JobDefinition<object, { queued: number }> = {
  name: POLL_MAILBOXES,
  schema,
  deduplicationId: () => POLL_MAILBOXES,
  options: { attempts: 1, removeOnComplete: true, removeOnFail: 100 },
  handle,
};
