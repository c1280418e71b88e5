import type { Config } from '../config.ts';
import { MailroomError } from '../errors.ts';
import { createRedis, createSyncQueue } from '../queue/queues.ts';
import { enqueueMailboxSync } from './services.ts';

/** Queues a newly (re)connected mailbox's sync; a worker or `sync --mailbox` will run it. */
export async function scheduleFirstSync(config: Config, mailboxId: string): Promise<void> {
  const connection = createRedis(config, 'producer');
  const queue = createSyncQueue(config, connection);
  try {
    await enqueueMailboxSync(queue, mailboxId, config.sync.calendarSync);
  } catch (err) {
    throw new MailroomError(
      'SCHEDULE_FAILED',
      `mailbox ${mailboxId} was stored but its first sync could not be queued: ${(err as Error).message}`,
    );
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
