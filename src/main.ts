/**
 * The API process: OAuth connect flows and health. `npm start`.
 * Shuts down gracefully on SIGTERM/SIGINT: stop accepting, finish requests, close queue and DB.
 */
import { loadConfig, requireEncryptionKey } from './config.ts';
import { initORM } from './db/orm.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './logger.ts';
import { onShutdown } from './shutdown.ts';
import { createRedis, createSyncQueue } from './queue/queues.ts';
import { enqueueMailboxSync } from './app/services.ts';

const config = await loadConfig();
const log = createLogger(config.logLevel, 'mailroom-api');
const orm = await initORM(config.db.url);
const connection = createRedis(config, 'producer');
const queue = createSyncQueue(config, connection);
queue.on('error', (err) => {
  log.error({ err }, 'queue error');
});
const app = buildApp({
  config,
  orm,
  log,
  encryptionKey: requireEncryptionKey(config),
  scheduleSync: async (mailboxId) => {
    await enqueueMailboxSync(queue, mailboxId, config.sync.calendarSync);
  },
});
await app.listen({ port: config.http.port, host: '0.0.0.0' });

onShutdown(log, async () => {
  await app.close();
  await queue.close();
  connection.disconnect();
  await orm.close(true);
});
