import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { MailProvider } from '../db/entities/mailbox.entity.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import { MailroomError } from '../errors.ts';
import { createConnectLink } from '../mailboxes/connect-link.ts';
import { disconnectMailbox } from '../mailboxes/disconnect-mailbox.ts';
import type { MailboxJobQueue } from '../mailboxes/mailbox-job-queue.ts';
import type { PurgeRunner } from '../mailboxes/purge-runner.ts';
import type { RevokeGrant } from '../mailboxes/revoke-grant.ts';
import type { ClosePush } from '../push/close-push-channels.ts';
import { ownedIds } from '../db/read-models/owned.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { mailboxStatus } from '../mailboxes/mailbox-status.ts';
import type { MailboxStatusView } from '../read-models/mailbox-status.schema.ts';
import { requireOwned } from './require-owned.ts';

/** Every mailbox of the workspace, oldest first, each as `mailbox:status` shows it. */
export async function listMailboxes(
  scope: WorkspaceScope,
  em: EntityManager,
): Promise<MailboxStatusView[]> {
  const ids = await ownedIds(scope, 'mailbox');
  return Promise.all(ids.map((id) => mailboxStatus(em, id)));
}

export async function getMailbox(
  scope: WorkspaceScope,
  em: EntityManager,
  id: string,
): Promise<MailboxStatusView> {
  await requireOwned(scope, 'mailbox', id);
  return mailboxStatus(em, id);
}

/**
 * Queues the mailbox's sync now (mail, and calendar unless turned off), through the same
 * deduplicated jobs the worker's poll and `sync` use: a no-op while one is queued, one follow-up
 * run while one is running. A disconnected mailbox is a conflict (nothing syncs it until it is
 * connected again); so is one that must be reconnected first.
 */
export async function queueMailboxSync(
  scope: WorkspaceScope,
  em: EntityManager,
  jobs: MailboxJobQueue,
  id: string,
): Promise<{ queued: true }> {
  await requireOwned(scope, 'mailbox', id);
  const mailbox = await findMailbox(em, id);
  if (mailbox?.status === 'disconnected') {
    throw new MailroomError(
      'CONFLICT',
      `mailbox ${mailbox.email} is disconnected; connect it again to sync it`,
    );
  }
  if (mailbox?.status === 'reauth_required') {
    throw new MailroomError(
      'REAUTH_REQUIRED',
      `mailbox ${mailbox.email} must be reconnected before it can sync again`,
    );
  }
  await jobs.enqueueSync(id);
  return { queued: true };
}

export interface DisconnectDeps {
  em: EntityManager;
  jobs: MailboxJobQueue;
  revokeGrant: RevokeGrant;
  closePush: ClosePush;
  purges: PurgeRunner;
}

/**
 * `mailbox:disconnect` for the API: stops syncing, revokes the grant where the provider allows
 * and deletes the stored token, then answers the mailbox's status (`disconnected`) at once. With
 * `purge`, the purge is recorded and runs in the background (PurgeRunner: it waits for a sync job
 * still running, and a restarted process continues it).
 */
export async function disconnectWorkspaceMailbox(
  scope: WorkspaceScope,
  deps: DisconnectDeps,
  id: string,
  opts: { purge: boolean },
): Promise<MailboxStatusView> {
  await requireOwned(scope, 'mailbox', id);
  await disconnectMailbox(
    { em: deps.em, jobs: deps.jobs, revokeGrant: deps.revokeGrant, closePush: deps.closePush },
    id,
    { purge: false },
  );
  if (opts.purge) {
    await deps.purges.request(id);
  }
  return mailboxStatus(deps.em, id);
}

/** The OAuth start URL (a signed, expiring connect link) for the scope's workspace. */
export async function mailboxConnectUrl(
  scope: WorkspaceScope,
  em: EntityManager,
  config: Config,
  provider: MailProvider,
): Promise<{ url: string; expiresAt: string }> {
  return createConnectLink(em, config, {
    workspaceId: scope.workspaceId,
    provider,
    loginHint: null,
  });
}
