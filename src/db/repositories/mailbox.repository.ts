import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash, randomUUID } from 'node:crypto';
import { MailboxSchema, type Mailbox, type MailProvider } from '../entities/mailbox.entity.ts';
import { appendEvents } from '../outbox.ts';

export async function findMailbox(em: EntityManager, id: string): Promise<Mailbox | null> {
  return em.findOne(MailboxSchema, { id });
}

export interface StoreConnectedMailbox {
  workspaceId: string;
  provider: MailProvider;
  email: string;
  /** The sealed refresh token. */
  credentials: string;
  aliases: string[];
  autoCreatePolicy: Mailbox['autoCreatePolicy'] | undefined;
  /** The policy a new mailbox gets when none is given (a re-connect keeps its own). */
  defaultAutoCreatePolicy?: Mailbox['autoCreatePolicy'] | undefined;
}

/**
 * Stores a consented mailbox. An address the workspace already has is a re-connect: same id, new
 * credentials, status back to active, aliases merged, and the policy kept unless one is given.
 * Either way `mailbox.connected` is announced in the same transaction.
 */
export async function storeConnectedMailbox(
  em: EntityManager,
  input: StoreConnectedMailbox,
): Promise<string> {
  return em.transactional(async (tx) => {
    const id = await storeMailboxRow(tx, input);
    // Once per connection: the occurrence is the stored credential's version, the same one
    // `mailbox.disconnected` names when that credential is removed (mailbox-lifecycle).
    await appendEvents(tx, [
      {
        type: 'mailbox.connected',
        workspaceId: input.workspaceId,
        aggregateId: id,
        occurrence: `${id}:${createHash('md5').update(input.credentials).digest('hex')}`,
        data: { mailboxId: id, email: input.email, provider: input.provider },
      },
    ]);
    return id;
  });
}

async function storeMailboxRow(em: EntityManager, input: StoreConnectedMailbox): Promise<string> {
  const existing = await em.findOne(MailboxSchema, {
    workspaceId: input.workspaceId,
    email: input.email,
  });
  if (existing) {
    existing.provider = input.provider;
    existing.credentials = input.credentials;
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
    credentials: input.credentials,
    status: 'active',
    autoCreatePolicy:
      input.autoCreatePolicy ?? input.defaultAutoCreatePolicy ?? 'sent_and_received',
    settings: {},
    syncState: {},
    lastError: null,
    lastSyncedAt: null,
    syncAliveUntil: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.persist(mailbox).flush();
  return mailbox.id;
}
