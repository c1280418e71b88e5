import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents, type Job, type Worker } from 'bullmq';
import { calendarSyncJob, type CalendarSyncResult } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob, type MailboxSyncResult } from '../../jobs/mailbox-sync.job.ts';
import type { CalendarSyncSummary } from '../sync/calendar-sync.ts';
import type { Config } from '../config.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import type { Orm } from '../db/orm.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { JobDefinition } from '../queue/job-definition.ts';
import { startStalledCheck } from '../queue/create-worker.ts';
import { assertRedisReachable, SYNC_QUEUE } from '../queue/queues.ts';
import { claimMailboxJob } from './claim-mailbox-job.ts';
import { initServices } from './services.ts';
import { startSyncWorker } from './sync-worker.ts';

/** How often a waiting run checks that its job still exists (Redis can lose it). */
const VANISH_CHECK_MS = 1_000;

/**
 * Runs a mailbox's mail and calendar sync now, through real BullMQ queues and the same worker
 * code as the worker process, and returns what they did. Used by `sync --mailbox` and the demo.
 *
 * It runs that mailbox's jobs only. Its worker listens on a private queue of its own
 * (`sync-cli-<uuid>`, same prefix), into which it puts this mailbox's jobs; in the shared queue it
 * holds the mailbox's deduplication ids meanwhile (claim-mailbox-job.ts), so no other worker
 * syncs the mailbox beside it, and a sync a worker is already running is waited for first (a
 * stalled-job check hands it back if that worker died and no other is left to notice). Other
 * mailboxes' jobs are never fetched, so killing the CLI leaves none of them stalled.
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
  const shared = services.syncQueue();
  const privateName = `${SYNC_QUEUE}-cli-${randomUUID()}`;
  const prefix = config.sync.queuePrefix;
  const own = new Queue(privateName, { connection: services.redis('worker'), prefix });
  const events = new QueueEvents(privateName, { connection: services.redis('worker'), prefix });
  let worker: Worker | null = null;
  let stalledCheck: Worker | null = null;
  try {
    await Promise.all([shared.waitUntilReady(), own.waitUntilReady(), events.waitUntilReady()]);
    worker = startSyncWorker(services, undefined, privateName);
    stalledCheck = await startStalledCheck(services.jobContext(), services.redis('worker'));
    const data = { mailboxId };
    const holdMs = 2 * config.sync.jobLockSeconds * 1000;
    const runOne = async <T>(def: JobDefinition<typeof data>): Promise<T> => {
      const claim = await claimMailboxJob(shared, def, data, holdMs, log);
      try {
        // Kept after it finishes (the private queue is removed below), so a finished job is
        // never mistaken for a vanished one.
        const job = await own.add(def.name, data, {
          ...def.options,
          removeOnComplete: false,
          removeOnFail: false,
        });
        return (await untilFinished(job, own, events)) as T;
      } catch (err) {
        if (err instanceof MailroomError) {
          throw err;
        }
        const after = await findMailbox(orm.em.fork(), mailboxId);
        if (after?.status === 'reauth_required') {
          throw reauth(after.lastError);
        }
        throw new MailroomError('SYNC_FAILED', `${def.name} failed: ${(err as Error).message}`);
      } finally {
        await claim.release();
      }
    };
    // Both jobs run; the mail outcome is awaited even when the calendar one fails, and vice versa.
    const [mail, calendar] = await Promise.allSettled([
      runOne<MailboxSyncResult>(mailboxSyncJob),
      config.sync.calendarSync ? runOne<CalendarSyncResult>(calendarSyncJob) : null,
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
    // A job still running here belongs to a run that already failed (its job vanished): do not
    // wait for it; its checkpoints are in PostgreSQL.
    await worker?.close(true);
    await stalledCheck?.close(true);
    await events.close();
    await own.obliterate({ force: true }).catch(() => undefined);
    await own.close();
    await services.close();
  }
}

/**
 * The job's result, or its failure; and a one-line failure, not a hang, when the job vanished
 * (Redis flushed, or restarted without persistence, while it was queued or running).
 */
async function untilFinished(job: Job, queue: Queue, events: QueueEvents): Promise<unknown> {
  const run = { settled: false };
  const finished = job.waitUntilFinished(events).finally(() => {
    run.settled = true;
  });
  const vanished = (async (): Promise<never> => {
    for (;;) {
      await sleep(VANISH_CHECK_MS);
      if (run.settled) {
        return new Promise<never>(() => undefined);
      }
      if ((await queue.getJobState(job.id ?? '')) === 'unknown') {
        throw new MailroomError(
          'SYNC_FAILED',
          `${job.name} job vanished from Redis (flushed or restarted without persistence?); run sync again`,
        );
      }
    }
  })();
  return Promise.race([finished, vanished]);
}
