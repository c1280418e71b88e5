import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import { pollMailboxesJob } from '../../jobs/poll-mailboxes.job.ts';
import { parseConfig } from '../../src/config.ts';
import { claimDueMailboxes } from '../../src/db/repositories/mailbox-poll.repository.ts';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { createLogger } from '../../src/logger.ts';
import { scrape } from '../../src/observability/metrics.ts';
import type { JobContext } from '../../src/queue/job-context.ts';
import { freshDatabase } from '../helpers/processes.ts';
import { sampleSum } from '../helpers/prometheus-text.ts';
import {
  createMailbox,
  createWorkspace,
  testDatabaseUrl,
  testRedisUrl,
} from '../helpers/test-orm.ts';

/**
 * Issue 15 part 3: the fleet scheduler queues only due mailboxes (and stale ones), spreads their
 * next polls, polls push-healthy ones rarely, and two ticks at once never claim a mailbox twice.
 * A database of its own: any other test's worker would claim these mailboxes in the shared one.
 */
const INTERVALS = { normalSeconds: 300, pushHealthySeconds: 3600, recoverySeconds: 240 };

let orm: Orm;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase(testDatabaseUrl());
  drop = db.drop;
  orm = await initORM(db.url);
});
afterAll(async () => {
  await orm.close(true);
  await drop();
});

async function mailboxes(count: number): Promise<string[]> {
  const ws = await createWorkspace(orm);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(await createMailbox(orm, ws, `rep${String(i)}@fleet-${randomUUID().slice(0, 8)}.com`));
  }
  return ids;
}

const exec = (sql: string, params: unknown[] = []) => orm.em.fork().execute(sql, params);

/** Seconds from now to each mailbox's next poll. */
async function secondsToNextPoll(ids: string[]): Promise<Map<string, number>> {
  const rows = await exec(
    `select id, extract(epoch from next_poll_at - now())::float8 as s from mailbox where id in (?)`,
    [ids],
  );
  return new Map(rows.map((r) => [String(r['id']), Number(r['s'])]));
}

const claim = (limit = 10_000) => claimDueMailboxes(orm.em.fork(), limit, INTERVALS);

describe('fleet scheduler', () => {
  it('claims new mailboxes once, spread over one interval by id, then not until due', async () => {
    const ids = await mailboxes(40);
    const first = await claim();
    const mine = first.filter((c) => ids.includes(c.id));
    expect(mine.map((c) => c.id).sort()).toEqual([...ids].sort());
    // Never scheduled before: there is no due time to be late against.
    expect(mine.every((c) => c.lagSeconds === null)).toBe(true);

    const firstNext = await secondsToNextPoll(ids);
    const next = [...firstNext.values()];
    expect(Math.min(...next)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...next)).toBeLessThanOrEqual(300);
    // Spread over the interval, not bunched: 40 uniform draws leave no 150 s gap empty.
    expect(Math.max(...next) - Math.min(...next)).toBeGreaterThan(150);

    // The spread is the id's, the same on any run: a second first-schedule lands the same.
    await exec(`update mailbox set next_poll_at = null where id in (?)`, [ids]);
    await claim();
    const again = await secondsToNextPoll(ids);
    for (const id of ids) {
      expect(Math.abs((again.get(id) ?? 0) - (firstNext.get(id) ?? 0))).toBeLessThan(5);
    }

    // Nothing of these is due now.
    expect((await claim()).filter((c) => ids.includes(c.id))).toEqual([]);
  });

  it('reschedules a due mailbox at the interval with jitter, a push-healthy one at the long one', async () => {
    const ids = await mailboxes(20);
    const pushed = ids.slice(0, 10);
    await exec(`update mailbox set next_poll_at = now() - interval '30 seconds' where id in (?)`, [
      ids,
    ]);
    await exec(
      `update mailbox set push_healthy_until = now() + interval '1 hour' where id in (?)`,
      [pushed],
    );
    const claimed = (await claim()).filter((c) => ids.includes(c.id));
    expect(claimed).toHaveLength(20);
    // Queued about 30 s after they were due.
    for (const c of claimed) {
      expect(c.lagSeconds).toBeGreaterThanOrEqual(29);
    }
    const next = await secondsToNextPoll(ids);
    for (const id of ids) {
      const [low, high] = pushed.includes(id) ? [0.8 * 3600, 1.2 * 3600] : [0.8 * 300, 1.2 * 300];
      expect(next.get(id)).toBeGreaterThanOrEqual(low - 5);
      expect(next.get(id)).toBeLessThanOrEqual(high);
    }
  });

  it('claims a stale sync at once, once, and never a mailbox that may not sync', async () => {
    const [stale, disconnected, reauth, live] = await mailboxes(4);
    await exec(`update mailbox set next_poll_at = now() + interval '1 hour'`);
    await exec(
      `update mailbox set status = 'syncing', sync_alive_until = now() - interval '10 seconds' where id = ?`,
      [stale],
    );
    await exec(
      `update mailbox set status = 'syncing', sync_alive_until = now() + interval '1 minute' where id = ?`,
      [live],
    );
    await exec(`update mailbox set status = 'disconnected', next_poll_at = null where id = ?`, [
      disconnected,
    ]);
    await exec(`update mailbox set status = 'reauth_required', next_poll_at = null where id = ?`, [
      reauth,
    ]);
    const claimed = await claim();
    expect(claimed.map((c) => c.id)).toEqual([stale]);
    expect(claimed[0]?.lagSeconds).toBeGreaterThanOrEqual(9);
    // Its recovery sync is queued: the next ticks leave it alone while that sync waits to start.
    expect(await claim()).toEqual([]);
  });

  it('two ticks at once queue every due mailbox exactly once', async () => {
    const ids = await mailboxes(60);
    await exec(
      `update mailbox set next_poll_at = now() + interval '1 hour' where not (id in (?))`,
      [ids],
    );
    await exec(`update mailbox set next_poll_at = now() - interval '1 second' where id in (?)`, [
      ids,
    ]);
    const prefix = `test-${randomUUID()}`;
    const config = parseConfig({
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MAILROOM_QUEUE_PREFIX: prefix,
      MAILROOM_POLL_BATCH_SIZE: '7',
    });
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue('sync', { connection: redis, prefix });
    const ctx = { config, orm, log: createLogger('silent'), syncQueue: queue } as JobContext;
    const never = new AbortController().signal;
    const run = { progress: () => undefined, signal: never, stop: never };
    const lagBefore = sampleSum((await scrape()).body, 'mailroom_poll_lag_seconds_count');
    try {
      // Each tick claims in batches of 7 until none is left; both run at the same time.
      const [a, b] = await Promise.all([
        pollMailboxesJob.handle({} as never, {}, ctx, run),
        pollMailboxesJob.handle({} as never, {}, ctx, run),
      ]);
      expect(a.queued + b.queued).toBe(60);
      const jobs = await queue.getJobs(['waiting']);
      const byName = (name: string) =>
        jobs.filter((j) => j.name === name).map((j) => (j.data as { mailboxId: string }).mailboxId);
      expect(byName(mailboxSyncJob.name).sort()).toEqual([...ids].sort());
      expect(byName(calendarSyncJob.name).sort()).toEqual([...ids].sort());
      expect(sampleSum((await scrape()).body, 'mailroom_poll_lag_seconds_count') - lagBefore).toBe(
        60,
      );
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });
});
