import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { expect } from 'vitest';
import { keepPollScheduled } from '../../src/app/keep-poll-scheduled.ts';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { enqueueMailboxSync } from '../../src/app/schedule-sync.ts';
import { initServices } from '../../src/app/services.ts';
import { startSyncWorker } from '../../src/app/sync-worker.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { createPollQueue, createSyncQueue, SYNC_QUEUE } from '../../src/queue/queues.ts';
import type { Logger } from '../../src/logger.ts';
import type { Orm } from '../../src/db/orm.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectGmailMailbox, silentLog, type GmailHarness } from '../helpers/gmail-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import {
  killWorkerMidSync,
  stopWorkerMidSync,
  storedEmails,
} from '../helpers/kill-worker-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { createWorkspace } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Issue 10, "stalls and slow recovery": what the queue does when Redis loses its data, when a
 * worker dies (twice) mid-sync or is stopped with SIGTERM mid-sync, when a job stops making
 * progress, when a wake-up arrives during a sync, and that `sync --mailbox` runs its own mailbox's
 * jobs only. Each test has its own queue
 * prefix, so its queue holds its own jobs only.
 */

const LONG = { timeout: 240_000 };

function isolated(h: GmailHarness, extra: Record<string, string> = {}) {
  const env = { ...h.env, MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`, ...extra };
  return { env, config: parseConfig(env) };
}

async function mailboxWithMail(orm: Orm, h: GmailHarness, email: string, count: number) {
  const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
  const mb = await connectGmailMailbox(orm, h, ws, email);
  for (let i = 0; i < count; i++) {
    h.emulator.store.addMessage(
      email,
      buildEml({
        from: `P${i} <p${i}@co${i % 7}.com>`,
        to: [email],
        messageId: `<${email}-${i}@x>`,
        date: new Date(Date.UTC(2026, 8, 1, 0, i)).toUTCString(),
      }),
    );
  }
  return mb;
}

/**
 * Slow (or, with a long delay, black-holed) message fetches. The emulator's faults match any
 * mailbox and outlive a test, so what an earlier test left over is cleared first.
 */
function slowFetches(h: GmailHarness, delayMs: number, count: number): () => number {
  h.emulator.faults.clear();
  return injectFaults(h.emulator.faults, { path: '/messages/', delayMs, count });
}

/** Deletes every key of the test's queues: what Redis losing its data looks like to BullMQ. */
async function flushQueueKeys(config: Config): Promise<number> {
  const redis = new Redis(config.redis.url);
  try {
    const keys = await redis.keys(`${config.sync.queuePrefix}:*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

/** A worker on the test's shared queue, in this process, as `npm run worker` runs one. */
async function inProcessWorker(config: Config, orm: Orm, log: Logger = silentLog) {
  const services = await initServices(config, { orm, log, queueRole: 'worker' });
  const worker = startSyncWorker(services);
  return {
    queue: services.syncQueue(),
    close: async () => {
      await worker.close();
      await services.close();
    },
  };
}

it(
  'the poll scheduler comes back within its re-assert period after Redis lost the queue keys',
  LONG,
  async ({ gmail: h }) => {
    const { config } = isolated(h, { MAILROOM_SCHEDULER_REASSERT_SECONDS: '1' });
    const connection = new Redis(config.redis.url);
    const queue = createPollQueue(config, connection);
    const keeper = keepPollScheduled(queue, config, silentLog);
    try {
      await keeper.ready;
      expect(await queue.getJobScheduler('poll-mailboxes')).toBeTruthy();
      expect(await flushQueueKeys(config)).toBeGreaterThan(0);
      expect(await queue.getJobScheduler('poll-mailboxes')).toBeFalsy();
      // The real signal: the scheduler and its next poll job are in Redis again.
      await waitFor(async () => {
        const scheduler = await queue.getJobScheduler('poll-mailboxes');
        const jobs = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
        return !!scheduler && jobs.some((j) => j.name === 'poll-mailboxes');
      }, 'the poll scheduler to be re-asserted');
    } finally {
      keeper.stop();
      await queue.close();
      connection.disconnect();
    }
  },
);

it(
  'sync --mailbox A runs only A: B waiting in the same queue is left untouched',
  LONG,
  async ({ orm, gmail: h }) => {
    const { config } = isolated(h);
    const a = await mailboxWithMail(orm, h, 'only.a@northwind.com', 3);
    const b = await mailboxWithMail(orm, h, 'only.b@northwind.com', 3);
    const connection = new Redis(config.redis.url);
    const queue = createSyncQueue(config, connection);
    try {
      const bJobs = await enqueueMailboxSync(queue, b, true);
      expect(bJobs).toHaveLength(2);

      const result = await runSyncNow(config, orm, silentLog, a);
      expect(result).toMatchObject({ status: 'active', fetched: 3 });
      expect(await storedEmails(orm, a)).toBe(3);

      // B's jobs are where they were, never started, and B has nothing stored.
      for (const id of bJobs) {
        const job = await queue.getJob(id);
        expect(await job?.getState()).toBe('waiting');
        expect(job?.attemptsStarted).toBe(0);
      }
      expect(await storedEmails(orm, b)).toBe(0);
      expect((await mailboxStatus(orm.em.fork(), b)).status).toBe('active');
    } finally {
      await queue.close();
      connection.disconnect();
    }
  },
);

it(
  'a sync whose worker dies twice is retried from its checkpoint; meanwhile its status says stale',
  LONG,
  async ({ orm, gmail: h }) => {
    const TOTAL = 240;
    const { env, config } = isolated(h, { MAILROOM_CALENDAR_SYNC: 'off' });
    const mb = await mailboxWithMail(orm, h, 'twice@northwind.com', TOTAL);
    slowFetches(h, 40, TOTAL);
    const connection = new Redis(config.redis.url);
    const queue = createSyncQueue(config, connection);
    try {
      await enqueueMailboxSync(queue, mb, false);
      const first = await killWorkerMidSync(orm, env, mb, 30);
      // No worker is left behind the `syncing`: the status says so once the heartbeat ran out.
      await waitFor(
        async () => (await mailboxStatus(orm.em.fork(), mb)).stale,
        'the dead sync to show as stale',
      );
      expect((await mailboxStatus(orm.em.fork(), mb)).status).toBe('syncing');
      const second = await killWorkerMidSync(orm, env, mb, first + 30);
      expect(second).toBeLessThan(TOTAL);

      // BullMQ's default (1 stall allowed) failed and dropped the job here; now a third worker
      // takes it over and finishes it.
      const worker = await inProcessWorker(config, orm);
      try {
        await waitFor(async () => {
          const s = await mailboxStatus(orm.em.fork(), mb);
          return s.status === 'active' && s.lastSyncedAt !== null;
        }, 'the sync to finish');
      } finally {
        await worker.close();
      }
      const status = await mailboxStatus(orm.em.fork(), mb);
      expect(status).toMatchObject({ status: 'active', stale: false, lastError: null });
      expect(await storedEmails(orm, mb)).toBe(TOTAL);
      // The finished job is kept as the record, with the two stalls it survived.
      const [done] = await queue.getCompleted();
      expect(done?.name).toBe('mailbox-sync');
      expect(done?.stalledCounter).toBe(2);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  },
);

it(
  'a worker stopped with SIGTERM mid-backfill exits cleanly and hands the job back; another finishes it',
  LONG,
  async ({ orm, gmail: h }) => {
    const TOTAL = 300;
    // A long grace and lock: neither the deadline nor a lock expiry may be what ends this.
    const { env, config } = isolated(h, {
      MAILROOM_CALENDAR_SYNC: 'off',
      MAILROOM_SHUTDOWN_GRACE_SECONDS: '90',
      MAILROOM_JOB_LOCK_SECONDS: '300',
    });
    const mb = await mailboxWithMail(orm, h, 'sigterm@northwind.com', TOTAL);
    slowFetches(h, 100, TOTAL);
    const connection = new Redis(config.redis.url);
    const queue = createSyncQueue(config, connection);
    try {
      const [jobId] = await enqueueMailboxSync(queue, mb, false);
      const end = await stopWorkerMidSync(orm, env, mb, 30, 'SIGTERM');
      // Exited by itself once its close was done (the grace deadline exits with 1).
      expect(end).toEqual({ code: 0, signal: null });
      const stored = await storedEmails(orm, mb);
      expect(stored).toBeLessThan(TOTAL);
      // Back in the queue at once, not held by an expired worker's lock, and no attempt used.
      const job = await queue.getJob(jobId ?? '');
      expect(await job?.getState()).toBe('waiting');
      expect(job?.attemptsMade).toBe(0);
      expect(await queue.getFailedCount()).toBe(0);
      // Nothing the stop left unfetched was recorded as a failed message.
      const failures = await orm.em
        .fork()
        .execute<{ n: string }[]>(
          'select count(*) as n from message_failure where mailbox_id = ?',
          [mb],
        );
      expect(Number(failures[0]?.n)).toBe(0);

      const worker = await inProcessWorker(config, orm);
      try {
        await waitFor(async () => (await queue.getCompletedCount()) > 0, 'the sync to finish');
      } finally {
        await worker.close();
      }
      const [done] = await queue.getCompleted();
      expect(done?.id).toBe(jobId);
      expect(done?.stalledCounter).toBe(0);
      // Started twice, one attempt made: the hand-back was not counted as one.
      expect(done?.attemptsStarted).toBe(2);
      expect(done?.attemptsMade).toBe(1);
      // Every message stored once (mailbox and provider id are unique), the stop's ones included.
      expect(await storedEmails(orm, mb)).toBe(TOTAL);
      const status = await mailboxStatus(orm.em.fork(), mb);
      expect(status).toMatchObject({ status: 'active', stale: false, lastError: null });
    } finally {
      await queue.close();
      connection.disconnect();
    }
  },
);

it(
  'a sync that stalls more often than allowed fails, is kept, and puts the mailbox in error',
  LONG,
  async ({ orm, gmail: h }) => {
    const TOTAL = 240;
    const { env, config } = isolated(h, {
      MAILROOM_CALENDAR_SYNC: 'off',
      MAILROOM_MAX_STALLED_COUNT: '1',
    });
    const mb = await mailboxWithMail(orm, h, 'stalls@northwind.com', TOTAL);
    slowFetches(h, 40, TOTAL);
    const connection = new Redis(config.redis.url);
    const queue = createSyncQueue(config, connection);
    try {
      await enqueueMailboxSync(queue, mb, false);
      const first = await killWorkerMidSync(orm, env, mb, 30);
      await killWorkerMidSync(orm, env, mb, first + 30);
      const worker = await inProcessWorker(config, orm);
      try {
        await waitFor(
          async () => (await queue.getFailedCount()) > 0,
          'the job to fail after its second stall',
        );
        await waitFor(
          async () => (await mailboxStatus(orm.em.fork(), mb)).status === 'error',
          'the mailbox to show the failure',
        );
      } finally {
        await worker.close();
      }
      const [failed] = await queue.getFailed();
      expect(failed?.failedReason).toBe('job stalled more than allowable limit');
      const status = await mailboxStatus(orm.em.fork(), mb);
      expect(status.stale).toBe(false);
      expect(status.lastError).toMatch(/worker stopped 2 times/);
      // The failed job keeps its record without blocking the mailbox's next sync.
      const [next] = await enqueueMailboxSync(queue, mb, false);
      expect(next).not.toBe(failed?.id);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  },
);

it(
  'sync --mailbox whose job vanished from Redis fails with one line instead of waiting for ever',
  LONG,
  async ({ orm, gmail: h }) => {
    const TOTAL = 200;
    const { env, config } = isolated(h, { MAILROOM_CALENDAR_SYNC: 'off' });
    const mb = await mailboxWithMail(orm, h, 'vanish@northwind.com', TOTAL);
    slowFetches(h, 100, TOTAL);
    const cli = runCli(['sync', '--mailbox', mb], env);
    await waitFor(async () => (await storedEmails(orm, mb)) >= 10, 'the sync to be under way');
    expect(await flushQueueKeys(config)).toBeGreaterThan(0);
    const result = await cli;
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/vanished from Redis/);
  },
);

it(
  'the watchdog fails a job that makes no progress, and the retry finishes the sync',
  LONG,
  async ({ orm, gmail: h }) => {
    const TOTAL = 20;
    const { config } = isolated(h, {
      MAILROOM_CALENDAR_SYNC: 'off',
      MAILROOM_JOB_WATCHDOG_SECONDS: '3',
    });
    const mb = await mailboxWithMail(orm, h, 'blackhole@northwind.com', TOTAL);
    // One fetch that does not answer for far longer than the watchdog allows.
    const fired = slowFetches(h, 12_000, 1);
    const worker = await inProcessWorker(config, orm);
    try {
      await enqueueMailboxSync(worker.queue, mb, false);
      await waitFor(async () => (await worker.queue.getCompletedCount()) > 0, 'the sync to finish');
      const [done] = await worker.queue.getCompleted();
      expect(fired()).toBe(1);
      expect(done?.attemptsMade).toBeGreaterThanOrEqual(1);
      expect(done?.stacktrace?.join('\n')).toMatch(/JobWatchdogError: no progress for 3 s/);
      expect(await storedEmails(orm, mb)).toBe(TOTAL);
      expect((await mailboxStatus(orm.em.fork(), mb)).status).toBe('active');
    } finally {
      await worker.close();
    }
  },
);

it(
  'a wake-up that arrives while the mailbox syncs runs once more after it, not never',
  LONG,
  async ({ orm, gmail: h }) => {
    const TOTAL = 120;
    const { config } = isolated(h, { MAILROOM_CALENDAR_SYNC: 'off' });
    const mb = await mailboxWithMail(orm, h, 'wakeup@northwind.com', TOTAL);
    slowFetches(h, 40, TOTAL);
    const worker = await inProcessWorker(config, orm);
    try {
      const [firstId] = await enqueueMailboxSync(worker.queue, mb, false);
      await waitFor(async () => (await storedEmails(orm, mb)) >= 10, 'the sync to be under way');
      expect(await (await worker.queue.getJob(firstId ?? ''))?.getState()).toBe('active');
      // The wake-up (a push notification, a poll) while that sync runs.
      await enqueueMailboxSync(worker.queue, mb, false);
      await waitFor(
        async () => (await worker.queue.getCompletedCount()) >= 2,
        'the follow-up sync to run',
      );
      const names = (await worker.queue.getCompleted()).map((j) => j.name);
      expect(names).toEqual(['mailbox-sync', 'mailbox-sync']);
      expect(await storedEmails(orm, mb)).toBe(TOTAL);
    } finally {
      await worker.close();
    }
  },
);

it(
  'a job whose lock is lost stops, instead of running on beside the run that takes it over',
  LONG,
  async ({ orm, gmail: h }) => {
    const TOTAL = 240;
    const { config } = isolated(h, { MAILROOM_CALENDAR_SYNC: 'off' });
    const mb = await mailboxWithMail(orm, h, 'lost.lock@northwind.com', TOTAL);
    slowFetches(h, 40, TOTAL);
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const worker = await inProcessWorker(config, orm, log);
    const redis = new Redis(config.redis.url);
    try {
      const [jobId] = await enqueueMailboxSync(worker.queue, mb, false);
      await waitFor(async () => (await storedEmails(orm, mb)) >= 10, 'the sync to be under way');
      // What Redis losing the job's lock looks like to the worker renewing it (as after a restart
      // without persistence, or a lock that ran out while the process was starved).
      expect(await redis.del(`${config.sync.queuePrefix}:${SYNC_QUEUE}:${jobId ?? ''}:lock`)).toBe(
        1,
      );
      await waitFor(
        () => Promise.resolve(lines.some((l) => l.includes('job lost its lock; stopped'))),
        'the run to stop',
      );
      // The stalled check hands the job on, and its next run finishes the sync from the checkpoint.
      await waitFor(async () => {
        const s = await mailboxStatus(orm.em.fork(), mb);
        return s.status === 'active' && s.lastSyncedAt !== null;
      }, 'the sync to finish');
      expect(await storedEmails(orm, mb)).toBe(TOTAL);
      // The stopped run reported nothing on the mailbox: the run that took over owns it.
      expect((await mailboxStatus(orm.em.fork(), mb)).lastError).toBeNull();
      const done = await worker.queue.getJob(jobId ?? '');
      expect(done?.stalledCounter).toBe(1);
      expect(await done?.getState()).toBe('completed');
    } finally {
      redis.disconnect();
      await worker.close();
    }
  },
);
