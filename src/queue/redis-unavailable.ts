import type { Redis } from 'ioredis';
import { MailroomError } from '../errors.ts';
import { withoutCredentials } from '../security/url-credentials.ts';

/** The one line for "Redis does not answer", naming the setting to check. */
export function redisUnavailable(redisUrl: string, cause: unknown): MailroomError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MailroomError(
    'QUEUE_UNAVAILABLE',
    `Redis is unreachable at REDIS_URL=${withoutCredentials(redisUrl)} (${reason})`,
  );
}

/** The last connection error of each connection made by `createRedis`, until it is ready again. */
const lastErrors = new WeakMap<Redis, Error>();

export function trackConnectionErrors(connection: Redis): void {
  connection.on('error', (err: Error) => {
    lastErrors.set(connection, err);
  });
  connection.on('ready', () => {
    lastErrors.delete(connection);
  });
}

/**
 * Waits for a producer connection to be usable, or fails on its first connection error.
 *
 * BullMQ waits for `ready` without bound before it sends anything (`queue.add` on a Redis that is
 * down hangs however the connection is configured), which is right for a worker and wrong for a
 * producer: the CLI and the OAuth callback must say at once that Redis is down. ioredis reports
 * every failed connection attempt as an `error` event (a refused connection at once, a silent
 * host after `connectTimeout`), so this never waits longer than one attempt; and a connection
 * already known to be down (a long-running API's, between reconnect attempts) fails at once.
 */
export async function producerReady(connection: Redis, redisUrl: string): Promise<void> {
  if (connection.status === 'ready') {
    return;
  }
  if (connection.status === 'end') {
    throw redisUnavailable(redisUrl, new Error('connection closed'));
  }
  const known = lastErrors.get(connection);
  if (known) {
    throw redisUnavailable(redisUrl, known);
  }
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      connection.off('ready', onReady);
      connection.off('error', onError);
      connection.off('end', onEnd);
    };
    const onReady = () => {
      done();
      resolve();
    };
    const onError = (err: Error) => {
      done();
      reject(redisUnavailable(redisUrl, err));
    };
    const onEnd = () => {
      done();
      reject(redisUnavailable(redisUrl, new Error('connection closed')));
    };
    connection.on('ready', onReady);
    connection.on('error', onError);
    connection.on('end', onEnd);
  });
}
