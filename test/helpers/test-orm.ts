import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { WorkspaceSchema } from '../../src/db/entities/workspace.entity.ts';
import { MailboxSchema } from '../../src/db/entities/mailbox.entity.ts';
import type { AutoCreatePolicy } from '../../src/crm/enrichment-settings.ts';

/** The run's migrated database (see global-setup.ts). */
export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

export async function openTestOrm(): Promise<Orm> {
  return initORM(testDatabaseUrl());
}

export async function createWorkspace(
  orm: Orm,
  opts: { domains?: string[]; blocklist?: string[] } = {},
): Promise<string> {
  const em = orm.em.fork();
  const id = randomUUID();
  em.create(WorkspaceSchema, {
    id,
    name: `test-${id.slice(0, 8)}`,
    internalDomains: opts.domains ?? [],
    blocklist: opts.blocklist ?? [],
    settings: {},
    createdAt: new Date(),
  });
  await em.flush();
  return id;
}

export async function createMailbox(
  orm: Orm,
  workspaceId: string,
  email: string,
  opts: { aliases?: string[]; policy?: AutoCreatePolicy } = {},
): Promise<string> {
  const em = orm.em.fork();
  const id = randomUUID();
  em.create(MailboxSchema, {
    id,
    workspaceId,
    provider: 'google',
    email,
    aliases: opts.aliases ?? [],
    credentials: null,
    status: 'active',
    autoCreatePolicy: opts.policy ?? 'sent_and_received',
    settings: {},
    syncState: {},
    lastError: null,
    lastSyncedAt: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.flush();
  return id;
}
