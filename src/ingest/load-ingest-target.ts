import type { EntityManager } from '@mikro-orm/postgresql';
import { resolveEnrichmentSettings } from '../crm/enrichment-settings.ts';
import { buildMailboxContext } from '../crm/mailbox-context.ts';
import type { MailboxTarget } from '../crm/mailbox-target.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';
import { findWorkspace } from '../db/repositories/workspace.repository.ts';
import { NotFoundError } from '../errors.ts';

export type IngestTarget = MailboxTarget;

/** Loads a mailbox with its workspace and resolves the rules that apply to its mail. */
export async function loadIngestTarget(
  em: EntityManager,
  workspaceId: string,
  mailboxId: string,
): Promise<IngestTarget> {
  const workspace = await findWorkspace(em, workspaceId);
  if (!workspace) {
    throw new NotFoundError(`workspace ${workspaceId} not found`);
  }
  const mailbox = await findMailbox(em, mailboxId);
  if (!mailbox || mailbox.workspaceId !== workspaceId) {
    throw new NotFoundError(`mailbox ${mailboxId} not found in workspace ${workspaceId}`);
  }
  const settings = resolveEnrichmentSettings(
    workspace.settings,
    mailbox.settings,
    mailbox.autoCreatePolicy,
  );
  return {
    workspaceId,
    mailboxId,
    mailboxEmail: mailbox.email,
    context: buildMailboxContext({
      mailboxEmail: mailbox.email,
      aliases: mailbox.aliases,
      workspaceInternalDomains: workspace.internalDomains,
      blocklist: workspace.blocklist,
      settings,
    }),
  };
}
