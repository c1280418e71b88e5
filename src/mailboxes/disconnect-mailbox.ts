import type { EntityManager } from '@mikro-orm/postgresql';
import { purgeBatch, purgeSyncLeftovers } from '../db/repositories/mailbox-purge.repository.ts';
import { markDisconnected } from '../db/repositories/mailbox-lifecycle.repository.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import type { MailboxJobQueue } from './mailbox-job-queue.ts';

/** Rows deleted per purge transaction. */
export const PURGE_BATCH_SIZE = 500;

export interface DisconnectMailboxDeps {
  em: EntityManager;
  jobs: MailboxJobQueue;
  /**
   * Revokes the grant at the provider before the stored token is deleted. Not wired yet (grant
   * revocation is its own issue): when it is, it receives the sealed refresh token.
   */
  revokeGrant?: (mailbox: { id: string; provider: string; sealed: string }) => Promise<void>;
  batchSize?: number;
}

export interface PurgeSummary {
  emails: number;
  calendarEvents: number;
  activitiesDeleted: number;
  activitiesMoved: number;
}

export interface DisconnectResult {
  id: string;
  status: 'disconnected';
  /** False when the mailbox already was disconnected. */
  changed: boolean;
  removedJobs: string[];
  purged: PurgeSummary | null;
}

/**
 * Disconnects a mailbox: it stops syncing (status `disconnected`, which every sync job and the
 * poller skip, and its queued jobs removed), its tokens are deleted and `mailbox.disconnected` is
 * announced. Stored mail stays unless `purge`: then its emails, calendar events, their links and
 * the activities only they support are deleted in bounded batches; people and companies stay.
 * Running it again is safe (a purge interrupted half-way continues).
 */
export async function disconnectMailbox(
  deps: DisconnectMailboxDeps,
  mailboxId: string,
  options: { purge: boolean },
): Promise<DisconnectResult> {
  const { em, jobs } = deps;
  const mailbox = await findMailbox(em, mailboxId);
  if (!mailbox) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  if (deps.revokeGrant && mailbox.credentials) {
    await deps.revokeGrant({
      id: mailbox.id,
      provider: mailbox.provider,
      sealed: mailbox.credentials,
    });
  }
  // Status first: a job that starts from now on skips the mailbox, then the queued ones go.
  const marked = await markDisconnected(em, mailboxId);
  if (!marked) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  const { removed, running } = await jobs.removeJobs(mailboxId);
  let purged: PurgeSummary | null = null;
  if (options.purge) {
    if (running.length > 0) {
      // A running job could still store a page after the purge. Nothing queues the mailbox
      // again, so the purge is run again once that job has finished.
      throw new MailroomError(
        'CONFLICT',
        `mailbox ${mailbox.email} is disconnected, but its sync job ${running.join(', ')} is still running; run mailbox:disconnect --purge again when it has stopped`,
      );
    }
    purged = await purgeMailboxData(deps, mailbox.workspaceId, mailboxId);
  }
  return {
    id: mailboxId,
    status: 'disconnected',
    changed: marked.changed,
    removedJobs: removed,
    purged,
  };
}

async function purgeMailboxData(
  deps: DisconnectMailboxDeps,
  workspaceId: string,
  mailboxId: string,
): Promise<PurgeSummary> {
  const limit = deps.batchSize ?? PURGE_BATCH_SIZE;
  const summary: PurgeSummary = {
    emails: 0,
    calendarEvents: 0,
    activitiesDeleted: 0,
    activitiesMoved: 0,
  };
  for (const kind of ['email', 'calendar_event'] as const) {
    for (;;) {
      const batch = await purgeBatch(deps.em, kind, workspaceId, mailboxId, limit);
      if (batch.deleted === 0) {
        break;
      }
      summary[kind === 'email' ? 'emails' : 'calendarEvents'] += batch.deleted;
      summary.activitiesDeleted += batch.activitiesDeleted;
      summary.activitiesMoved += batch.activitiesMoved;
    }
  }
  await purgeSyncLeftovers(deps.em, mailboxId);
  return summary;
}
