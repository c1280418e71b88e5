import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { AutoCreatePolicy } from '../crm/enrichment-settings.ts';
import { MailboxSchema, type MailProvider } from '../db/entities/mailbox.entity.ts';
import { WorkspaceSchema } from '../db/entities/workspace.entity.ts';
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
  const workspace = await em.findOne(WorkspaceSchema, { id: input.workspaceId });
  if (!workspace) {
    throw new NotFoundError(`workspace ${input.workspaceId} not found`);
  }
  const credentials = box.seal(input.refreshToken);
  const existing = await em.findOne(MailboxSchema, {
    workspaceId: input.workspaceId,
    email: input.email,
  });
  if (existing) {
    existing.provider = input.provider;
    existing.credentials = credentials;
    existing.status = 'active';
    existing.lastError = null;
    existing.aliases = [...new Set([...existing.aliases, ...input.aliases])];
    if (input.autoCreatePolicy) {
      existing.autoCreatePolicy = input.autoCreatePolicy;
    }
    existing.updatedAt = new Date();
    await em.flush();
    return existing.id;
  }
  const mailbox = em.create(MailboxSchema, {
    id: randomUUID(),
    workspaceId: input.workspaceId,
    provider: input.provider,
    email: input.email,
    aliases: input.aliases,
    credentials,
    status: 'active',
    autoCreatePolicy: input.autoCreatePolicy ?? 'sent_and_received',
    settings: {},
    syncState: {},
    lastError: null,
    lastSyncedAt: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.persist(mailbox).flush();
  return mailbox.id;
}
