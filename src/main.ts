/**
 * The API process: OAuth connect flows, liveness (`/healthz`) and readiness (`/readyz`).
 * `npm start`, or `node src/main.ts` under a supervisor (no wrapper between it and the signals).
 * A bad configuration or a database that is down stops it with the CLI's one line, not a stack.
 * Shuts down gracefully on SIGTERM/SIGINT: stop accepting, finish requests, close queue and DB.
 */
import { scheduleStoredMailbox } from './app/schedule-sync.ts';
import { initServices } from './app/services.ts';
import { loadConfig, requireEncryptionKey } from './config.ts';
import { exitWithErrorLine } from './error-line.ts';
import { buildApp } from './http/app.ts';
import { onShutdown } from './shutdown.ts';

try {
  const config = await loadConfig();
  const encryptionKey = requireEncryptionKey(config);
  const services = await initServices(config, { name: 'mailroom-api' });
  const queue = services.syncQueue();
  const app = buildApp({
    config,
    orm: services.orm,
    log: services.log,
    encryptionKey,
    // Fails at once while Redis is down (the callback answers 503); the mailbox is stored by
    // then, and the worker's next poll queues it.
    scheduleSync: (mailboxId) =>
      scheduleStoredMailbox(
        async () => {
          await services.queueReady();
          return queue;
        },
        mailboxId,
        config.sync.calendarSync,
      ),
    pingRedis: () => services.queueReady(),
  });
  onShutdown(services.log, async () => {
    await app.close();
    await services.close();
  });
  await app.listen({ port: config.http.port, host: config.http.host });
} catch (err) {
  exitWithErrorLine(err);
}
