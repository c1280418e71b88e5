import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { requireEncryptionKey, type Config } from '../config.ts';
import { openMigratedORM, type Orm } from '../db/orm.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createParsePool } from '../mail/create-parse-pool.ts';
import type { ParsePool } from '../mail/parse-pool.ts';
import {
  createProviderFactories,
  MAX_CACHED_MAILBOXES,
  type ProviderFactories,
} from '../providers/registry.ts';
import {
  createSharedQuotas,
  NO_SHARED_QUOTAS,
  type SharedQuotas,
} from '../providers/shared-quotas.ts';
import type { JobContext } from '../queue/job-context.ts';
import { createEventsQueue } from '../queue/events-queue.ts';
import {
  createPollQueue,
  createQuotaRedis,
  createRedis,
  createSyncQueue,
} from '../queue/queues.ts';
import { RedisOutageLog } from '../queue/redis-outage.ts';
import { producerReady, redisUnavailable } from '../queue/redis-unavailable.ts';
import { SecretBox } from '../security/secret-box.ts';
import { WEBHOOK_QUEUE } from '../webhooks/delivery-job-spec.ts';

/**
 * The services container, built once per process by `initServices` (the MikroORM guide's
 * `initORM()` pattern) and handed to the HTTP app, the worker, the CLI and the jobs. Everything
 * expensive or needing a secret is opened on first use, so `export` never asks for the encryption
 * key and `migrate` never spawns parser threads; `close()` closes what was opened, in reverse.
 */
export interface Services {
  readonly config: Config;
  readonly log: Logger;
  readonly orm: Orm;
  /** Seals and opens stored credentials; fails with one line when the key is not configured. */
  secretBox(): SecretBox;
  parsePool(): ParsePool;
  providers(): ProviderFactories;
  /** The sync queue, on a connection of `options.queueRole`. */
  syncQueue(): Queue;
  /** The webhook delivery queue (`webhooks`), on the sync queue's connection. */
  webhookQueue(): Queue;
  /** The fleet scheduler's tick queue (`poll`), on the sync queue's connection. */
  pollQueue(): Queue;
  /**
   * The `events` queue the outbox relay publishes to, on the sync queue's connection (for the
   * queue dashboard; the relay opens its own).
   */
  eventsQueue(): Queue;
  /**
   * Resolves once the sync queue's Redis answers a PING; fails at once, with one line naming
   * REDIS_URL, while it does not. Producers call it before queueing (BullMQ itself would wait for
   * Redis without bound) and `/readyz` reports it.
   */
  queueReady(): Promise<void>;
  /** A Redis connection owned by the caller's role; closed with the container. */
  redis(role: 'producer' | 'worker'): Redis;
  /**
   * What queues and workers do with their `error` events: a Redis outage is logged once (one
   * warning per outage for the whole process, one line when it is over), anything else each time.
   */
  reportQueueError(err: unknown, what: string): void;
  /** What job handlers get: the same services, named as the jobs use them. */
  jobContext(): JobContext;
  close(): Promise<void>;
}

export interface ServicesOptions {
  /** The process name in logs (`mailroom-api`, `mailroom-worker`, …). */
  name?: string;
  /** An ORM opened by the caller (tests, the demo); the container then does not close it. */
  orm?: Orm;
  log?: Logger;
  /**
   * How the sync queue's connection treats a Redis outage: a producer (API, CLI) fails fast, a
   * worker process waits for Redis to come back (BullMQ's going-to-production guide).
   */
  queueRole?: 'producer' | 'worker';
}

export async function initServices(
  config: Config,
  options: ServicesOptions = {},
): Promise<Services> {
  const log = options.log ?? createLogger(config.logLevel, options.name);
  // Only `migrate` creates or migrates the database; every process stops here with one line if
  // it is missing or behind.
  const orm = options.orm ?? (await openMigratedORM(config.db.url, config.db.timeouts));
  const closers: (() => Promise<void> | void)[] = [];
  if (!options.orm) {
    closers.push(() => orm.close(true));
  }
  const once = <T>(open: () => T): (() => T) => {
    let value: { v: T } | null = null;
    return () => (value ??= { v: open() }).v;
  };

  const secretBox = once(
    () => new SecretBox(requireEncryptionKey(config), config.encryptionKeysOld),
  );
  const parsePool = once(() => {
    const pool = createParsePool(config);
    closers.push(() => pool.close());
    return pool;
  });
  const outage = new RedisOutageLog(log, config.redis.url);
  // The project's and app's budgets, shared by every worker through Redis; none when all are off.
  const sharedQuotas = (): SharedQuotas => {
    const q = config.sync.sharedQuota;
    if (q.gmailUnitsPerMinute + q.googleCalendarRequestsPerMinute + q.graphRequestsPer10s === 0) {
      return NO_SHARED_QUOTAS;
    }
    const connection = createQuotaRedis(config);
    outage.watch(connection);
    closers.push(() => {
      connection.disconnect();
    });
    return createSharedQuotas(connection, config, log);
  };
  const providers = once(() =>
    createProviderFactories(
      config,
      secretBox(),
      orm.em.fork(),
      MAX_CACHED_MAILBOXES,
      sharedQuotas(),
    ),
  );
  const redis = (role: 'producer' | 'worker'): Redis => {
    const connection = createRedis(config, role);
    outage.watch(connection);
    closers.push(() => {
      connection.disconnect();
    });
    return connection;
  };
  const syncQueueConnection = once(() => redis(options.queueRole ?? 'producer'));
  const syncQueue = once(() => {
    const connection = syncQueueConnection();
    let connected = connection.status === 'ready';
    connection.once('ready', () => {
      connected = true;
    });
    const queue = createSyncQueue(config, connection);
    queue.on('error', (err) => {
      outage.report(err, 'queue error');
    });
    // A queue whose connection never came up has sent nothing. Closing it would detach its
    // listeners while BullMQ still waits for the connection, and the rejection that follows the
    // disconnect would crash the process as an unhandled 'error' (seen on SIGTERM with Redis down).
    closers.push(() => (connected ? queue.close() : undefined));
    return queue;
  });
  const webhookQueue = once(() => {
    const queue = new Queue(WEBHOOK_QUEUE, {
      connection: syncQueueConnection(),
      prefix: config.sync.queuePrefix,
    });
    queue.on('error', (err) => {
      outage.report(err, 'queue error');
    });
    closers.push(() => (syncQueueConnection().status === 'ready' ? queue.close() : undefined));
    return queue;
  });
  /** A queue beside the sync queue, on its connection: reported like it, closed with it. */
  const besideSyncQueue = (create: (c: Config, connection: Redis) => Queue) =>
    once(() => {
      const queue = create(config, syncQueueConnection());
      queue.on('error', (err) => {
        outage.report(err, 'queue error');
      });
      closers.push(() => (syncQueueConnection().status === 'ready' ? queue.close() : undefined));
      return queue;
    });
  const eventsQueue = besideSyncQueue(createEventsQueue);
  const pollQueue = besideSyncQueue(createPollQueue);
  const jobContext = once((): JobContext => ({
    config,
    orm,
    log,
    pool: parsePool(),
    sources: providers().mail,
    calendars: providers().calendar,
    watches: providers().watch,
    syncQueue: syncQueue(),
  }));

  return {
    config,
    log,
    orm,
    secretBox,
    parsePool,
    providers,
    syncQueue,
    webhookQueue,
    eventsQueue,
    pollQueue,
    async queueReady() {
      const connection = syncQueueConnection();
      await producerReady(connection, config.redis.url);
      await connection.ping().catch((err: unknown) => {
        throw redisUnavailable(config.redis.url, err);
      });
    },
    redis,
    reportQueueError: (err, what) => {
      outage.report(err, what);
    },
    jobContext,
    async close() {
      for (const close of closers.reverse()) {
        await close();
      }
    },
  };
}
