import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { producerReady, redisUnavailable, trackConnectionErrors } from './redis-unavailable.ts';

export const SYNC_QUEUE = 'sync';
/**
 * The fleet scheduler's tick has a queue of its own: on the sync queue it would wait behind the
 * very syncs it queued (BullMQ promotes a scheduled job to the back of the waiting list), and a
 * backlog would delay every poll after it.
 */
export const POLL_QUEUE = 'poll';

/**
 * Redis connections. Producers fail fast when Redis is down (a CLI should say so, not hang);
 * workers wait for it forever (BullMQ going-to-production guide).
 */
export function createRedis(config: Config, role: 'producer' | 'worker'): Redis {
  const connection = new Redis(config.redis.url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    lazyConnect: false,
  });
  // Producers fail fast only if they ask first: BullMQ waits for `ready` without bound before
  // it sends a command. `producerReady` asks, using what this records.
  trackConnectionErrors(connection);
  return connection;
}

/**
 * The connection of the shared provider quotas (src/providers/shared-quotas.ts): a quota check
 * must never hold a sync up, so a command fails at once while the connection is down (no offline
 * queue), and after a second when Redis is up but does not answer. It reconnects by itself.
 */
export function createQuotaRedis(config: Config): Redis {
  return new Redis(config.redis.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    connectTimeout: 5_000,
  });
}

/** Fails at once, with one line naming REDIS_URL, unless Redis answers a PING. */
export async function assertRedisReachable(config: Config): Promise<void> {
  const connection = createRedis(config, 'producer');
  try {
    await producerReady(connection, config.redis.url);
    await connection.ping().catch((err: unknown) => {
      throw redisUnavailable(config.redis.url, err);
    });
  } finally {
    connection.disconnect();
  }
}

export function createSyncQueue(config: Config, connection: Redis): Queue {
  const queue = new Queue(SYNC_QUEUE, { connection, prefix: config.sync.queuePrefix });
  return queue;
}

export function createPollQueue(config: Config, connection: Redis): Queue {
  return new Queue(POLL_QUEUE, { connection, prefix: config.sync.queuePrefix });
}

export function createSyncQueueEvents(config: Config, connection: Redis): QueueEvents {
  return new QueueEvents(SYNC_QUEUE, { connection, prefix: config.sync.queuePrefix });
}
