import type { Config } from '../src/config.ts';
import type { MailProvider } from '../src/db/entities/mailbox.entity.ts';
import { initORM } from '../src/db/orm.ts';
import { createLogger } from '../src/logger.ts';
import { connectMailbox } from '../src/mailboxes/connect-mailbox.ts';
import { runSyncNow } from '../src/queue/run-sync-now.ts';
import { SecretBox } from '../src/security/secret-box.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';

/**
 * Connects one mailbox in a fresh workspace and times its first sync through the queue, the
 * provider client and the pipeline; fails unless every expected message was stored.
 */
export async function timeFirstSync(
  config: Config,
  mailbox: { provider: MailProvider; email: string; refreshToken: string; expected: number },
  beforeStart: () => void,
): Promise<number> {
  const orm = await initORM(config.db.url);
  try {
    const em = orm.em.fork();
    const workspaceId = await createWorkspace(em, {
      name: 'bench',
      internalDomains: ['northwindtraders.com'],
    });
    const mailboxId = await connectMailbox(em, new SecretBox(config.encryptionKey ?? ''), {
      workspaceId,
      provider: mailbox.provider,
      email: mailbox.email,
      refreshToken: mailbox.refreshToken,
      aliases: [],
      autoCreatePolicy: undefined,
    });
    beforeStart();
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
