import type { Queue } from 'bullmq';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { Config } from '../config.ts';
import { MailroomError } from '../errors.ts';
import { createRedis, createSyncQueue } from '../queue/queues.ts';

/**
 * Queues a mailbox's mail sync and (unless turned off) its calendar sync under their deterministic
 * ids: a no-op for one already queued or running.
 */
export async function enqueueMailboxSync(
  queue: Queue,
  mailboxId: string,
  withCalendar: boolean,
): Promise<{ mail: string; calendar: string | null }> {
  const data = { mailboxId };
  const mail = mailboxSyncJob.jobId(data);
  await queue.add(mailboxSyncJob.name, data, { ...mailboxSyncJob.options, jobId: mail });
  if (!withCalendar) {
    return { mail, calendar: null };
  }
  const calendar = calendarSyncJob.jobId(data);
  await queue.add(calendarSyncJob.name, data, { ...calendarSyncJob.options, jobId: calendar });
  return { mail, calendar };
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
