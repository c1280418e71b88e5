import { scheduleStoredMailbox } from '../app/schedule-sync.ts';
import type { Services } from '../app/services.ts';
import { requireEncryptionKey } from '../config.ts';
import type { AppDeps } from './app.ts';

/** The API's real dependencies, from the process's services container (`src/main.ts`). */
export function apiDeps(services: Services): AppDeps {
  const { config } = services;
  const queue = services.syncQueue();
  return {
    config,
    orm: services.orm,
    log: services.log,
    encryptionKey: requireEncryptionKey(config),
    // Fails at once while Redis is down (the OAuth callback answers 503 instead of hanging); the
    // mailbox is stored by then, and the worker's next poll queues its sync.
    scheduleSync: (mailboxId) =>
      scheduleStoredMailbox(
        async () => {
          await services.queueReady();
          return queue;
        },
        mailboxId,
        { calendar: config.sync.calendarSync, push: config.push.enabled },
      ),
    pingRedis: () => services.queueReady(),
    services,
  };
}
