import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { scrape } from '../../src/observability/metrics.ts';
import { SharedQuotaLimiter } from '../../src/providers/shared-quota-limiter.ts';
import { createQuotaRedis } from '../../src/queue/queues.ts';
import { freePort, startRedis, stop, type Watched } from '../helpers/processes.ts';
import { sampleSum } from '../helpers/prometheus-text.ts';
import { testRedisUrl } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Issue 15 part 3: the project's (or app's) budget is one for every worker. Two limiters on two
 * Redis connections (two worker processes) draw on the same counter; when Redis does not answer
 * (down, or hung) a call goes ahead on its per-mailbox limit alone, with one warning per outage.
 */
const connections: Redis[] = [];
const servers: Watched[] = [];
afterAll(async () => {
  for (const c of connections) {
    c.disconnect();
  }
  await Promise.all(servers.map((s) => stop(s, 'SIGKILL')));
});

/** A worker's quota connection, just opened (the limiter waits for it to come up). */
function quotaRedis(url: string): Redis {
  const connection = createQuotaRedis(parseConfig({ REDIS_URL: url }));
  connection.on('error', () => undefined);
  connections.push(connection);
  return connection;
}

/** A logger that keeps what it was told (the limiter only warns and informs). */
function recordingLog(): { log: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const log = {
    warn: (_obj: unknown, msg: string) => lines.push({ level: 'warn', msg }),
    info: (_obj: unknown, msg: string) => lines.push({ level: 'info', msg }),
  } as unknown as Logger;
  return { log, lines };
}

describe('shared quota', () => {
  it('two limiters on two connections spend one budget', async () => {
    const key = `test-${randomUUID()}:quota:google:client-1:gmail`;
    // 10 units per 5 s window: what either process spends alone fits, what both spend does not.
    const budget = {
      name: 'gmail',
      key,
      unitsPerWindow: 10,
      windowMs: 5_000,
      headroom: 1,
      sliceSeconds: 5,
    };
    const { log } = recordingLog();
    const first = new SharedQuotaLimiter(quotaRedis(testRedisUrl()), budget, log);
    const second = new SharedQuotaLimiter(quotaRedis(testRedisUrl()), budget, log);
    for (let i = 0; i < 6; i++) {
      await first.acquire(1);
    }
    for (let i = 0; i < 4; i++) {
      await second.acquire(1);
    }
    expect(first.waitedMs).toBe(0);
    expect(second.waitedMs).toBe(0);
    // The eleventh unit of the window is over the shared budget: the second process waits,
    // though it spent only 5 of the 10 itself.
    await second.acquire(1);
    expect(second.waitedMs).toBeGreaterThan(0);

    // Another project's budget is its own.
    const other = new SharedQuotaLimiter(
      quotaRedis(testRedisUrl()),
      { ...budget, key: `${key}-other-project` },
      log,
    );
    await other.acquire(10);
    expect(other.waitedMs).toBe(0);
  });

  it('goes ahead on the per-mailbox limit alone while Redis is down or hung, and says so once', async () => {
    const port = await freePort();
    const server = await startRedis(port);
    servers.push(server);
    const url = `redis://127.0.0.1:${String(port)}`;
    const { log, lines } = recordingLog();
    const budget = {
      name: 'graph',
      key: `test-${randomUUID()}:graph`,
      unitsPerWindow: 1_000,
      windowMs: 10_000,
    };
    const limiter = new SharedQuotaLimiter(quotaRedis(url), budget, log);
    await limiter.acquire(1);
    expect(lines).toEqual([]);
    const unavailable = async () =>
      sampleSum((await scrape()).body, 'mailroom_shared_quota_unavailable_total', {
        budget: 'graph',
      });
    const before = await unavailable();

    // Hung: the process is stopped, its socket open. Each call gives up after the command timeout.
    server.child.kill('SIGSTOP');
    await limiter.acquire(1);
    await limiter.acquire(1);
    server.child.kill('SIGCONT');
    expect(await unavailable()).toBe(before + 2);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    await waitFor(async () => {
      await limiter.acquire(1);
      return lines.some((l) => l.level === 'info');
    }, 'the shared quota to answer again');

    // Down: the connection is refused, each call goes ahead at once.
    await stop(server, 'SIGKILL');
    for (let i = 0; i < 3; i++) {
      await limiter.acquire(1);
    }
    expect(await unavailable()).toBeGreaterThanOrEqual(before + 5);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });
});
