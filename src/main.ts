/**
 * The API process: OAuth connect flows and health. `npm start`.
 * Shuts down gracefully on SIGTERM/SIGINT: stop accepting, finish requests, close queue and DB.
 */
import { enqueueMailboxSync } from './app/schedule-sync.ts';
import { initServices } from './app/services.ts';
import { loadConfig, requireEncryptionKey } from './config.ts';
import { buildApp } from './http/app.ts';
import { onShutdown } from './shutdown.ts';

const config = await loadConfig();
const services = await initServices(config, { name: 'mailroom-api' });
const queue = services.syncQueue();
const app = buildApp({
  config,
  orm: services.orm,
  log: services.log,
  encryptionKey: requireEncryptionKey(config),
  scheduleSync: async (mailboxId) => {
    await enqueueMailboxSync(queue, mailboxId, config.sync.calendarSync);
  },
});
await app.listen({ port: config.http.port, host: config.http.host });

onShutdown(services.log, async () => {
  await app.close();
  await services.close();
});
