import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { createWorkspace as createWorkspaceService } from '../../src/workspaces/create-workspace.ts';
import type { AutoCreatePolicy } from '../../src/crm/enrichment-settings.ts';

/** The run's migrated database (see global-setup.ts). */
export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

/** The Redis the run uses (`REDIS_URL`, or the local default). */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

export async function openTestOrm(): Promise<Orm> {
  return initORM(testDatabaseUrl());
}

export async function createWorkspace(
  orm: Orm,
  opts: { domains?: string[]; blocklist?: string[] } = {},
): Promise<string> {
  return createWorkspaceService(orm.em.fork(), {
    name: `test-${randomUUID().slice(0, 8)}`,
    internalDomains: opts.domains ?? [],
    blocklist: opts.blocklist ?? [],
  });
}

/** A mailbox as `mailbox:connect` stores it (a throwaway key seals a dummy token). */
export async function createMailbox(
  orm: Orm,
  workspaceId: string,
  email: string,
  opts: { aliases?: string[]; policy?: AutoCreatePolicy } = {},
): Promise<string> {
  return connectMailbox(orm.em.fork(), new SecretBox(randomBytes(32).toString('base64')), {
    workspaceId,
    provider: 'google',
    email,
    refreshToken: 'test-refresh-token',
    aliases: opts.aliases ?? [],
    autoCreatePolicy: opts.policy,
  });
}
