import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../src/config.ts';
import type { MailProvider } from '../src/db/entities/mailbox.entity.ts';
import { initORM, type Orm } from '../src/db/orm.ts';
import { createLogger } from '../src/logger.ts';
import { connectMailbox } from '../src/mailboxes/connect-mailbox.ts';
import { runSyncNow } from '../src/app/run-sync-now.ts';
import { SecretBox } from '../src/security/secret-box.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';

/** The settings every benchmark run shares: its database, Redis, a fresh key and queue prefix. */
export function benchEnv(base: Config, dbUrl: string): Record<string, string> {
  return {
    DATABASE_URL: dbUrl,
    REDIS_URL: base.redis.url,
    MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAILROOM_QUEUE_PREFIX: `bench-${randomUUID()}`,
    LOG_LEVEL: 'silent',
  };
}

/** A fresh workspace with one connected mailbox; returns the mailbox id. */
export async function connectBenchMailbox(
  orm: Orm,
  config: Config,
  mailbox: { provider: MailProvider; email: string; refreshToken: string },
): Promise<string> {
  const em = orm.em.fork();
  const workspaceId = await createWorkspace(em, {
    name: 'bench',
    internalDomains: ['northwindtraders.com'],
  });
  return connectMailbox(em, new SecretBox(config.encryptionKey ?? ''), {
    workspaceId,
    provider: mailbox.provider,
    email: mailbox.email,
    refreshToken: mailbox.refreshToken,
    aliases: [],
    autoCreatePolicy: undefined,
  });
}

/**
 * Connects one mailbox in a fresh workspace and times its first sync through the queue, the
 * provider client and the pipeline; fails unless every expected message was stored.
 */
export async function timeFirstSync(
  config: Config,
  mailbox: { provider: MailProvider; email: string; refreshToken: string; expected: number },
  beforeStart: () => Promise<void> | void,
): Promise<number> {
  const orm = await initORM(config.db.url);
  try {
    const mailboxId = await connectBenchMailbox(orm, config, mailbox);
    await beforeStart();
    const start = performance.now();
    const result = await runSyncNow(config, orm, createLogger('silent'), mailboxId);
    const seconds = (performance.now() - start) / 1000;
    if (result.counters.emailsStored !== mailbox.expected) {
      throw new Error(`stored ${result.counters.emailsStored} of ${mailbox.expected}`);
    }
    return seconds;
  } finally {
    await orm.close(true);
  }
}
