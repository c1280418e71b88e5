/**
 * A relay process for the kill test: it publishes one batch to the `events` queue, prints
 * `published` and then hangs before the step can mark the batch, so the test SIGKILLs it between
 * "published" and "marked". Env: DATABASE_URL, REDIS_URL, MAILROOM_QUEUE_PREFIX.
 */
import { Redis } from 'ioredis';
import { eventsQueueSink, startEventRelay } from '../../src/app/event-relay.ts';
import { initORM } from '../../src/db/orm.ts';
import { createLogger } from '../../src/logger.ts';
import { loadConfig } from '../../src/config.ts';
import { createEventsQueue } from '../../src/queue/events-queue.ts';

const config = await loadConfig();
const orm = await initORM(config.db.url);
const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
const queue = createEventsQueue(config, connection);
startEventRelay({
  orm,
  databaseUrl: config.db.url,
  log: createLogger('warn', 'relay-process'),
  pollMs: 3_600_000,
  sinks: [
    eventsQueueSink(queue, 100_000, () => queue.waitUntilReady().then(() => undefined)),
    async () => {
      process.stdout.write('published\n');
      await new Promise(() => undefined);
    },
  ],
});
