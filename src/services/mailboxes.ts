import type { EntityManager } from '@mikro-orm/postgresql';
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
