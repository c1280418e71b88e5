import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { EventEnvelope } from '../events/envelope.ts';

/** product.md: the BullMQ queue `events` under MAILROOM_QUEUE_PREFIX, for consumers in the cluster. */
export const EVENTS_QUEUE = 'events';

export function createEventsQueue(config: Config, connection: Redis): Queue<EventEnvelope> {
  return new Queue<EventEnvelope>(EVENTS_QUEUE, { connection, prefix: config.sync.queuePrefix });
}

/**
 * Adds one job per event: job id = event id, name = event type, data = envelope. BullMQ ignores
 * an add whose job id exists, so publishing the same events again (a relay killed before it
 * marked them) leaves one job each. One pipeline per batch.
 */
export async function addEventJobs(
  queue: Queue<EventEnvelope>,
  events: readonly EventEnvelope[],
): Promise<void> {
  await queue.addBulk(events.map((e) => ({ name: e.type, data: e, opts: { jobId: e.id } })));
}

/**
 * Keeps at most `max` waiting jobs, dropping the oldest: Redis runs with `noeviction`, and
 * Mailroom never consumes this queue itself, so without a cap an absent consumer would fill Redis.
 * `clean(0, n, 'wait')` removes the n jobs at the old end of the wait list, hashes included.
 * Returns how many were dropped.
 */
export async function capWaitingEvents(queue: Queue<EventEnvelope>, max: number): Promise<number> {
  const waiting = await queue.getWaitingCount();
  if (waiting <= max) {
    return 0;
  }
  const dropped = await queue.clean(0, waiting - max, 'wait');
  return dropped.length;
}
