import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';

export const SYNC_QUEUE = 'sync';

/**
 * Redis connections. Producers fail fast when Redis is down (a CLI should say so, not hang);
 * workers wait for it forever (BullMQ going-to-production guide).
 */
export function createRedis(config: Config, role: 'producer' | 'worker'): Redis {
  return new Redis(config.redis.url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    lazyConnect: false,
  });
}

export function createSyncQueue(config: Config, connection: Redis): Queue {
  const queue = new Queue(SYNC_QUEUE, { connection, prefix: config.sync.queuePrefix });
  return queue;
}

export function createSyncQueueEvents(config: Config, connection: Redis): QueueEvents {
  return new QueueEvents(SYNC_QUEUE, { connection, prefix: config.sync.queuePrefix });
}
