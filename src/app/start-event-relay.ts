import { MailroomError } from '../errors.ts';
import { createEventsQueue } from '../queue/events-queue.ts';
import { isRedisConnectionError } from '../queue/redis-outage.ts';
import { producerReady } from '../queue/redis-unavailable.ts';
import { eventsQueueSink, startEventRelay, type EventRelay } from './event-relay.ts';
import type { Services } from './services.ts';
import { fanOutToWebhooks } from '../webhooks/fan-out.ts';

/**
 * The worker's event relay, publishing to the `events` queue and fanning out to the webhooks
 * subscribed to each event. Its Redis connection is a
 * producer's: while Redis is down a step fails at once (and is retried on the next poll) instead
 * of holding its transaction and the relay lock open until PostgreSQL ends them.
 */
export function startWorkerEventRelay(services: Services): EventRelay {
  const { config } = services;
  const connection = services.redis('producer');
  let connected = connection.status === 'ready';
  connection.once('ready', () => {
    connected = true;
  });
  const queue = createEventsQueue(config, connection);
  queue.on('error', (err) => {
    services.reportQueueError(err, 'events queue error');
  });
  const relay = startEventRelay({
    orm: services.orm,
    databaseUrl: config.db.url,
    sinks: [
      eventsQueueSink(queue, config.events.queueMax, () =>
        producerReady(connection, config.redis.url),
      ),
      // After the queue sink: while Redis is down that one fails at once and the step rolls back.
      async (events) => {
        await fanOutToWebhooks(
          { em: services.orm.em, queue: services.webhookQueue(), config: config.webhooks },
          events,
        );
      },
    ],
    log: services.log,
    pollMs: config.events.pollMs,
    // The relay's connection is watched by the process's Redis outage log, which says it once.
    reportedElsewhere: (err) =>
      (err instanceof MailroomError && err.code === 'QUEUE_UNAVAILABLE') ||
      isRedisConnectionError(err),
  });
  return {
    ready: relay.ready,
    async stop() {
      await relay.stop();
      // As services.ts: closing a queue whose connection never came up crashes on the rejection.
      if (connected) {
        await queue.close();
      }
    },
  };
}
