import type { EntityManager } from '@mikro-orm/postgresql';
import { purgeBatch, purgeSyncLeftovers } from '../db/repositories/mailbox-purge.repository.ts';
import {
  clearPurgeRequest,
  markDisconnected,
} from '../db/repositories/mailbox-lifecycle.repository.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import { MailroomError, NotFoundError } from '../errors.ts';
import type { MailboxJobQueue } from './mailbox-job-queue.ts';
import type { GrantRevocation, RevokeGrant } from './revoke-grant.ts';
import type { ClosePush } from '../push/close-push-channels.ts';

/** Rows deleted per purge transaction. */
export const PURGE_BATCH_SIZE = 500;

export interface DisconnectMailboxDeps {
  em: EntityManager;
  jobs: MailboxJobQueue;
  /**
   * Revokes the grant at the provider before the stored token is deleted (`grantRevoker`); it
   * receives the sealed refresh token and never throws. Without it the grant is left alone.
   */
  revokeGrant?: RevokeGrant;
  /** Closes the mailbox's push channels (while its token still works); never throws. */
  closePush?: ClosePush;
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
  /** The grant at the provider (revoked only by the call that deleted the stored token). */
  grant: GrantRevocation;
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
  if (deps.closePush) {
    await deps.closePush(mailbox);
  }
  let grant: GrantRevocation = 'none';
  if (deps.revokeGrant && mailbox.credentials) {
    grant = await deps.revokeGrant({
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
    assertNoRunningJob(mailbox.email, running);
    purged = await purgeMailboxData(deps, mailbox.workspaceId, mailboxId);
  }
  return {
    id: mailboxId,
    status: 'disconnected',
    changed: marked.changed,
    grant,
    removedJobs: removed,
    purged,
  };
}

/**
 * The purge half of `disconnectMailbox --purge`, for a mailbox already disconnected: removes any
 * job queued since, refuses (CONFLICT) while one still runs, then deletes the data in bounded
 * batches. Refuses a mailbox that is not disconnected (reconnected meanwhile): its data is live
 * again. Safe to run again after an interruption.
 */
export async function purgeDisconnectedMailbox(
  deps: DisconnectMailboxDeps,
  mailboxId: string,
): Promise<PurgeSummary> {
  const mailbox = await findMailbox(deps.em, mailboxId);
  if (!mailbox) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  if (mailbox.status !== 'disconnected') {
    throw new MailroomError(
      'CONFLICT',
      `mailbox ${mailbox.email} is ${mailbox.status}, not disconnected; its data is not purged`,
    );
  }
  const { running } = await deps.jobs.removeJobs(mailboxId);
  assertNoRunningJob(mailbox.email, running);
  return purgeMailboxData(deps, mailbox.workspaceId, mailboxId);
}

/** Thrown while a job of the mailbox runs: it could still store a page after the purge. */
export class SyncStillRunningError extends MailroomError {
  override readonly name = 'SyncStillRunningError';
}

function assertNoRunningJob(email: string, running: readonly string[]): void {
  if (running.length > 0) {
    // Nothing queues the mailbox again, so the purge is run again once that job has finished.
    throw new SyncStillRunningError(
      'CONFLICT',
      `mailbox ${email} is disconnected, but its sync job ${running.join(', ')} is still running; run mailbox:disconnect --purge again when it has stopped`,
    );
  }
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
  // A purge the API left to run in the background (purge-runner.ts) is done now.
  await clearPurgeRequest(deps.em, mailboxId);
  return summary;
}
