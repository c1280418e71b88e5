import type { MailboxSyncResult } from '../../jobs/mailbox-sync.job.ts';
import type { Config } from '../config.ts';
import { MailboxSchema } from '../db/entities/mailbox.entity.ts';
import type { Orm } from '../db/orm.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createRedis, createSyncQueueEvents } from './queues.ts';
import { enqueueMailboxSync, startSyncRuntime } from './sync-runtime.ts';

/**
 * Queues a mailbox's sync (or joins the one already queued), runs an in-process worker until that
 * job has finished, and returns what it did. Used by `sync --mailbox` and by the demo.
 */
export async function runSyncNow(
  config: Config,
  orm: Orm,
  log: Logger,
  mailboxId: string,
): Promise<{ status: string | null } & Exclude<MailboxSyncResult, { skipped: string }>> {
  const mailbox = await orm.em.fork().findOne(MailboxSchema, { id: mailboxId });
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
  const runtime = await startSyncRuntime(config, orm, log, { worker: true });
  const eventsConnection = createRedis(config, 'worker');
  const events = createSyncQueueEvents(config, eventsConnection);
  try {
    await events.waitUntilReady();
    const jobId = await enqueueMailboxSync(runtime.ctx.syncQueue, mailboxId);
    const job = await runtime.ctx.syncQueue.getJob(jobId);
    if (!job) {
      throw new MailroomError('SYNC_FAILED', 'sync job vanished before it ran');
    }
    let outcome: MailboxSyncResult;
    try {
      outcome = (await job.waitUntilFinished(events)) as MailboxSyncResult;
    } catch (err) {
      const after = await orm.em.fork().findOne(MailboxSchema, { id: mailboxId });
      if (after?.status === 'reauth_required') {
        throw reauth(after.lastError);
      }
      throw new MailroomError('SYNC_FAILED', `sync failed: ${(err as Error).message}`);
    }
    if ('skipped' in outcome) {
      throw new MailroomError('SYNC_SKIPPED', `sync did not run: ${outcome.skipped}`);
    }
    const after = await orm.em.fork().findOne(MailboxSchema, { id: mailboxId });
    return { status: after?.status ?? null, ...outcome };
  } finally {
    await events.close();
    eventsConnection.disconnect();
    await runtime.close();
  }
}
