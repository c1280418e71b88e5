import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { withoutCredentials } from '../security/url-credentials.ts';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** An error that says "Redis is not there" rather than "this command is wrong". */
export function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) {
    return false;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
    return true;
  }
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest/i.test(
    err.message,
  );
}

/**
 * One warning per Redis outage for the whole process, and one line when it is over.
 *
 * Every connection (the queue's, the worker's, BullMQ's blocking duplicate) reports each failed
 * reconnect attempt, and the queue and the worker forward them again: 74 error lines in 45 s that
 * never said what was wrong. The process now says once which setting points where, waits (a
 * worker waits for Redis forever, per BullMQ's production guide), and says when Redis is back.
 */
export class RedisOutageLog {
  private down = false;
  private readonly log: Logger;
  private readonly redisUrl: string;

  constructor(log: Logger, redisUrl: string) {
    this.log = log;
    this.redisUrl = redisUrl;
  }

  /** Follows a connection: its errors open an outage, its `ready` closes one. */
  watch(connection: Redis): void {
    connection.on('error', (err: Error) => {
      this.report(err, 'redis error');
    });
    connection.on('ready', () => {
      this.recovered();
    });
  }

  /** For `error` events of queues and workers: connection errors count once per outage. */
  report(err: unknown, what: string): void {
    if (!isRedisConnectionError(err)) {
      this.log.error({ err }, what);
      return;
    }
    if (this.down) {
      return;
    }
    this.down = true;
    this.log.warn(
      { redis: withoutCredentials(this.redisUrl), reason: (err as Error).message },
      `Redis is unreachable (REDIS_URL=${withoutCredentials(this.redisUrl)}); waiting for it to come back`,
    );
  }

  private recovered(): void {
    if (!this.down) {
      return;
    }
    this.down = false;
    this.log.info({ redis: withoutCredentials(this.redisUrl) }, 'Redis is reachable again');
  }
}
