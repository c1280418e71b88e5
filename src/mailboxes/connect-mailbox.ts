import type { EntityManager } from '@mikro-orm/postgresql';
import type { AutoCreatePolicy } from '../crm/enrichment-settings.ts';
import type { MailProvider } from '../db/entities/mailbox.entity.ts';
import { storeConnectedMailbox } from '../db/repositories/mailbox.repository.ts';
import { findWorkspace } from '../db/repositories/workspace.repository.ts';
import { NotFoundError } from '../errors.ts';
import type { SecretBox } from '../security/secret-box.ts';

export interface ConnectMailboxInput {
  workspaceId: string;
  provider: MailProvider;
  email: string;
  refreshToken: string;
  aliases: string[];
  autoCreatePolicy: AutoCreatePolicy | undefined;
}

/**
 * Stores a consented mailbox with its refresh token sealed. Connecting an address the workspace
 * already has is a re-connect: same id, new token, status back to active.
 */
export async function connectMailbox(
  em: EntityManager,
  box: SecretBox,
  input: ConnectMailboxInput,
): Promise<string> {
  const workspace = await findWorkspace(em, input.workspaceId);
  if (!workspace) {
    throw new NotFoundError(`workspace ${input.workspaceId} not found`);
  }
  return storeConnectedMailbox(em, {
    workspaceId: input.workspaceId,
    provider: input.provider,
    email: input.email,
    credentials: box.seal(input.refreshToken),
    aliases: input.aliases,
    autoCreatePolicy: input.autoCreatePolicy,
    // A new mailbox without a policy of its own takes the workspace's (workspace:update --policy).
    defaultAutoCreatePolicy: workspace.settings.autoCreatePolicy,
  });
}
