import type { Worker } from 'bullmq';
import type { CalendarSyncResult } from '../../jobs/calendar-sync.job.ts';
import type { MailboxSyncResult } from '../../jobs/mailbox-sync.job.ts';
import type { CalendarSyncSummary } from '../sync/calendar-sync.ts';
import type { Config } from '../config.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import type { Orm } from '../db/orm.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { assertRedisReachable, createSyncQueueEvents } from '../queue/queues.ts';
import { enqueueMailboxSync } from './schedule-sync.ts';
import { initServices } from './services.ts';
import { startSyncWorker } from './sync-worker.ts';

/**
 * Queues a mailbox's mail and calendar sync (or joins those already queued), runs an in-process
 * worker until both have finished, and returns what they did. Used by `sync --mailbox` and by the demo.
 */
export async function runSyncNow(
  config: Config,
  orm: Orm,
  log: Logger,
  mailboxId: string,
): Promise<
  { status: string | null; calendar: CalendarSyncSummary | null } & Exclude<
    MailboxSyncResult,
    { skipped: string }
  >
> {
  const mailbox = await findMailbox(orm.em.fork(), mailboxId);
  if (!mailbox) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  const reauth = (detail: string | null) =>
    new MailroomError(
      'REAUTH_REQUIRED',
      `mailbox ${mailbox.email} needs to be reconnected: ${detail ?? 'access was revoked'}`,
    );
  if (mailbox.status === 'reauth_required') {
    throw reauth(mailbox.lastError);
  }
  // The worker's connections below wait for Redis forever; the CLI says at once that it is down.
  await assertRedisReachable(config);
  const services = await initServices(config, { orm, log, queueRole: 'worker' });
  const queue = services.syncQueue();
  const events = createSyncQueueEvents(config, services.redis('worker'));
  let worker: Worker | null = null;
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const ids = await enqueueMailboxSync(queue, mailboxId, config.sync.calendarSync);
    // Jobs are held before the worker starts: a finished job is removed, and with it its result.
    const hold = async (jobId: string) => {
      const job = await queue.getJob(jobId);
      if (!job) {
        throw new MailroomError('SYNC_FAILED', 'sync job vanished before it ran');
      }
      return job;
    };
    const mailJob = await hold(ids.mail);
    const calendarJob = ids.calendar ? await hold(ids.calendar) : null;
    worker = startSyncWorker(services);
    const wait = async <T>(job: typeof mailJob): Promise<T> => {
      try {
        return (await job.waitUntilFinished(events)) as T;
      } catch (err) {
        const after = await findMailbox(orm.em.fork(), mailboxId);
        if (after?.status === 'reauth_required') {
          throw reauth(after.lastError);
        }
        throw new MailroomError('SYNC_FAILED', `${job.name} failed: ${(err as Error).message}`);
      }
    };
    // Both jobs run; the mail outcome is awaited even when the calendar one fails, and vice versa.
    const [mail, calendar] = await Promise.allSettled([
      wait<MailboxSyncResult>(mailJob),
      calendarJob ? wait<CalendarSyncResult>(calendarJob) : Promise.resolve(null),
    ]);
    if (mail.status === 'rejected') {
      throw mail.reason;
    }
    if (calendar.status === 'rejected') {
      throw calendar.reason;
    }
    const outcome = mail.value;
    if ('skipped' in outcome) {
      throw new MailroomError('SYNC_SKIPPED', `sync did not run: ${outcome.skipped}`);
    }
    const calendarOutcome = calendar.value;
    const after = await findMailbox(orm.em.fork(), mailboxId);
    return {
      status: after?.status ?? null,
      ...outcome,
      calendar: calendarOutcome && !('skipped' in calendarOutcome) ? calendarOutcome : null,
    };
  } finally {
    await worker?.close();
    await events.close();
    await services.close();
  }
}
