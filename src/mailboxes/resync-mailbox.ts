import type { EntityManager } from '@mikro-orm/postgresql';
import { clearSyncCheckpoints } from '../db/repositories/mailbox-lifecycle.repository.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import type { MailboxJobQueue } from './mailbox-job-queue.ts';

export interface ResyncResult {
  id: string;
  queuedJobs: string[];
}

/**
 * Makes the mailbox's next sync a full one and queues it: the mail backfill lists the mailbox
 * again (within the configured bounds) and fetches what is missing, each calendar is listed in
 * full. Stored data is kept; the writes are idempotent upserts, so nothing is duplicated.
 * Refused while a sync job runs (it would write its old checkpoint back) and for a mailbox that
 * must be reconnected first.
 */
export async function resyncMailbox(
  deps: { em: EntityManager; jobs: MailboxJobQueue },
  mailboxId: string,
): Promise<ResyncResult> {
  const mailbox = await findMailbox(deps.em, mailboxId);
  if (!mailbox) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  if (mailbox.status === 'disconnected' || mailbox.status === 'reauth_required') {
    throw new MailroomError(
      'CONFLICT',
      `mailbox ${mailbox.email} is ${mailbox.status}; connect it again (mailbox:connect) instead`,
    );
  }
  const running = await deps.jobs.runningJobs(mailboxId);
  if (running.length > 0) {
    throw new MailroomError(
      'CONFLICT',
      `mailbox ${mailbox.email} is syncing now (job ${running.join(', ')}); run mailbox:resync again when it has finished`,
    );
  }
  await clearSyncCheckpoints(deps.em, mailboxId);
  return { id: mailboxId, queuedJobs: await deps.jobs.enqueueSync(mailboxId) };
}
