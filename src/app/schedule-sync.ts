import type { Queue } from 'bullmq';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import { mailboxPushJob } from '../../jobs/mailbox-push.job.ts';
import type { Config } from '../config.ts';
import { MailroomError } from '../errors.ts';
import { jobOptionsFor } from '../queue/job-definition.ts';
import { createRedis, createSyncQueue } from '../queue/queues.ts';
import { producerReady } from '../queue/redis-unavailable.ts';

/**
 * Queues a mailbox's mail sync and (unless turned off) its calendar sync under their deterministic
 * deduplication ids: a no-op for one already queued, a follow-up run for one running. Returns the
 * ids of the jobs that hold them.
 */
export async function enqueueMailboxSync(
  queue: Queue,
  mailboxId: string,
  withCalendar: boolean,
): Promise<string[]> {
  const data = { mailboxId };
  const jobs = withCalendar ? [mailboxSyncJob, calendarSyncJob] : [mailboxSyncJob];
  const added = await Promise.all(
    jobs.map((job) => queue.add(job.name, data, jobOptionsFor(job, data))),
  );
  return added.map((job) => job.id ?? '');
}

/**
 * Queues the job that opens or renews a mailbox's push channels (jobs/mailbox-push.job.ts), under
 * its deduplication id like the syncs.
 */
export async function enqueuePushChannels(queue: Queue, mailboxId: string): Promise<void> {
  const data = { mailboxId };
  await queue.add(mailboxPushJob.name, data, jobOptionsFor(mailboxPushJob, data));
}

/** What a newly stored mailbox gets queued besides its mail sync. */
export interface FirstSyncOptions {
  calendar: boolean;
  /** Push is on (config.push.enabled): its channels are opened now, not at the next push check. */
  push: boolean;
}

/**
 * Queues a newly (re)connected mailbox's sync; a worker or `sync --mailbox` will run it. The
 * mailbox is already stored (and `active`), so when Redis is down the worker's next poll queues
 * it: this fails at once with one line that says so, instead of waiting for Redis.
 */
export async function scheduleFirstSync(config: Config, mailboxId: string): Promise<void> {
  const connection = createRedis(config, 'producer');
  const opened: { queue?: Queue } = {};
  try {
    await scheduleStoredMailbox(
      async () => {
        // The queue is made only on a live connection: BullMQ would wait for one without bound.
        await producerReady(connection, config.redis.url);
        opened.queue = createSyncQueue(config, connection);
        return opened.queue;
      },
      mailboxId,
      { calendar: config.sync.calendarSync, push: config.push.enabled },
    );
  } finally {
    await opened.queue?.close();
    connection.disconnect();
  }
}

/**
 * `enqueueMailboxSync` for a mailbox just stored, on the queue `openQueue` gives once Redis
 * answers. A failure says that the mailbox is stored and what will queue it later.
 */
export async function scheduleStoredMailbox(
  openQueue: () => Promise<Queue>,
  mailboxId: string,
  options: FirstSyncOptions,
): Promise<void> {
  try {
    const queue = await openQueue();
    await enqueueMailboxSync(queue, mailboxId, options.calendar);
    if (options.push) {
      await enqueuePushChannels(queue, mailboxId);
    }
  } catch (err) {
    throw new MailroomError(
      'SCHEDULE_FAILED',
      `mailbox ${mailboxId} was stored but its first sync could not be queued: ${(err as Error).message}; the worker's next poll will queue it`,
    );
  }
}
