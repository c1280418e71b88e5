import type { Queue } from 'bullmq';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { Config } from '../config.ts';
import { MailroomError } from '../errors.ts';
import { jobOptionsFor } from '../queue/job-definition.ts';
import { createRedis, createSyncQueue } from '../queue/queues.ts';

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

/** Queues a newly (re)connected mailbox's sync; a worker or `sync --mailbox` will run it. */
export async function scheduleFirstSync(config: Config, mailboxId: string): Promise<void> {
  const connection = createRedis(config, 'producer');
  const queue = createSyncQueue(config, connection);
  try {
    await enqueueMailboxSync(queue, mailboxId, config.sync.calendarSync);
  } catch (err) {
    throw new MailroomError(
      'SCHEDULE_FAILED',
      `mailbox ${mailboxId} was stored but its first sync could not be queued: ${(err as Error).message}`,
    );
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
