import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect } from 'vitest';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { SYNC_QUEUE } from '../../src/queue/queues.ts';
import {
  expectedEndState,
  prepareFaultRun,
  readEndState,
  relayedEvents,
  waitEventsRelayed,
  waitMidSync,
  waitSyncComplete,
  type FaultRun,
  type FaultRunOptions,
} from '../helpers/fault-run.ts';
import { it } from '../helpers/fixtures.ts';
import type { GmailHarness } from '../helpers/gmail-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import {
  freePort,
  freshDatabase,
  startPrivatePostgres,
  startRedis,
  stop,
  type Watched,
} from '../helpers/processes.ts';
import { testDatabaseUrl, testRedisUrl } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Issue 15, the fault suite: a Gmail mailbox synced by two real worker processes while Redis is
 * restarted, PostgreSQL is restarted, a tenth of the Gmail requests fail, or workers are SIGKILLed.
 * Whatever happened, the run ends with every provider message stored once and no duplicate
 * activity or event. The servers a test restarts are private ones on free ports, never the shared
 * ones; they and their directories go in afterAll, whatever the test did.
 */

const TOTAL = 200;
const KILLS = 3;
const MAX = Number.MAX_SAFE_INTEGER;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  // Newest first: the workers before the servers they use.
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((err: unknown) => {
      console.error('fault suite clean-up failed', err);
    });
  }
});

let harness: GmailHarness | undefined;
afterEach(() => {
  // The emulator's faults match every mailbox and outlive a test.
  harness?.emulator.faults.clear();
});

/**
 * Slow message fetches a little, so that a fault lands mid-sync on a loaded machine and a fast
 * one alike (the fault is applied on a stored count, not after a time).
 */
function slowFetches(h: GmailHarness, delayMs = 15): void {
  harness = h;
  h.emulator.faults.clear();
  injectFaults(h.emulator.faults, { path: '/messages/', method: 'GET', delayMs, count: MAX });
}

async function sharedDatabase(): Promise<string> {
  const db = await freshDatabase(testDatabaseUrl());
  cleanups.push(db.drop);
  return db.url;
}

async function prepare(h: GmailHarness, opts: FaultRunOptions): Promise<FaultRun> {
  const run = await prepareFaultRun(h, opts);
  cleanups.push(() => run.close());
  return run;
}

/** The end-state assertions every scenario shares; the relay check where Redis kept its data. */
async function expectEachStoredOnce(run: FaultRun, opts: { eventsQueueKept: boolean }) {
  await waitEventsRelayed(run);
  await run.stopWorkers();
  const end = await readEndState(run);
  expect(end).toEqual(expectedEndState(run.expected));
  // Nothing left behind on the mailbox either: no error from a run the fault interrupted.
  expect(await mailboxStatus(run.orm.em.fork(), run.mailboxId)).toMatchObject({
    status: 'active',
    stale: false,
    lastError: null,
  });
  if (opts.eventsQueueKept) {
    const { queued, outbox } = await relayedEvents(run);
    expect(queued).toEqual(outbox);
  }
}

/** Completed mail-sync jobs and how often each was handed on from a dead worker. */
async function completedSyncs(run: FaultRun): Promise<{ runs: number; stalls: number }> {
  const connection = new Redis(run.env['REDIS_URL'] ?? '', { maxRetriesPerRequest: null });
  const queue = new Queue(SYNC_QUEUE, {
    connection,
    prefix: run.env['MAILROOM_QUEUE_PREFIX'] ?? '',
  });
  try {
    const done = (await queue.getCompleted(0, -1)).filter((j) => j.name === 'mailbox-sync');
    return { runs: done.length, stalls: done.reduce((n, j) => n + j.stalledCounter, 0) };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** The pid of the worker process running the mailbox's sync job (its `processedBy`), if one is. */
async function syncRunner(run: FaultRun): Promise<number | null> {
  const connection = new Redis(run.env['REDIS_URL'] ?? '', { maxRetriesPerRequest: null });
  const queue = new Queue(SYNC_QUEUE, {
    connection,
    prefix: run.env['MAILROOM_QUEUE_PREFIX'] ?? '',
  });
  try {
    const active = (await queue.getActive()).find((j) => j.name === 'mailbox-sync');
    const pid = Number(active?.processedBy?.split(':').pop());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** A repeatable PRNG (mulberry32), so a failing run can be replayed with the same kill points. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it('Redis killed and restarted empty mid-sync: the poll re-assert resumes the sync', async ({
  gmail: h,
}) => {
  slowFetches(h);
  const port = await freePort();
  let redis: Watched = await startRedis(port);
  cleanups.push(() => stop(redis, 'SIGKILL'));
  const run = await prepare(h, {
    databaseUrl: await sharedDatabase(),
    redisUrl: `redis://127.0.0.1:${String(port)}`,
    owner: 'redis.restart@northwind.com',
    total: TOTAL,
  });
  run.startWorker();
  run.startWorker();
  await waitMidSync(run, TOTAL / 4);

  await stop(redis, 'SIGKILL');
  // Without persistence it comes back empty: the queued and running jobs, the poll scheduler,
  // the deduplication keys are gone.
  redis = await startRedis(port);
  expect(await run.stored()).toBeLessThan(TOTAL);

  await waitSyncComplete(run);
  // The events published before the restart are gone with it; the outbox still holds each once.
  await expectEachStoredOnce(run, { eventsQueueKept: false });
});

it('PostgreSQL crashed and restarted mid-sync: the workers reconnect and finish', async ({
  gmail: h,
}) => {
  slowFetches(h);
  const pg = await startPrivatePostgres();
  cleanups.push(() => pg.remove());
  const run = await prepare(h, {
    databaseUrl: pg.url('mailroom_faults'),
    redisUrl: testRedisUrl(),
    owner: 'pg.restart@northwind.com',
    total: TOTAL,
  });
  run.startWorker();
  run.startWorker();
  await waitMidSync(run, TOTAL / 4);

  await pg.crash();
  await pg.start();

  await waitSyncComplete(run);
  await expectEachStoredOnce(run, { eventsQueueKept: true });
});

it('a tenth of every Gmail request fails (500, 503, 429, connection reset) for the whole run', async ({
  gmail: h,
}) => {
  harness = h;
  h.emulator.faults.clear();
  h.emulator.resetStats();
  // Four kinds, each with the chance that makes one request in ten fail: 1 - (1 - p)^4 = 0.1.
  const p = 1 - 0.9 ** (1 / 4);
  const gmail = { path: '^/gmail/v1/', probability: p, count: MAX };
  const fired = injectFaults(
    h.emulator.faults,
    { ...gmail, status: 500 },
    { ...gmail, status: 503 },
    { ...gmail, status: 429, retryAfterSeconds: 1 },
    { ...gmail, reset: true },
  );
  const run = await prepare(h, {
    databaseUrl: await sharedDatabase(),
    redisUrl: testRedisUrl(),
    owner: 'flaky@northwind.com',
    total: TOTAL,
  });
  run.startWorker();
  run.startWorker();

  await waitSyncComplete(run);
  // The faults fired at about the rate asked for (a loose bound: it is a random draw).
  const share = fired() / h.emulator.stats.requests;
  expect(fired()).toBeGreaterThan(0);
  expect(share).toBeGreaterThan(0.04);
  expect(share).toBeLessThan(0.2);
  await expectEachStoredOnce(run, { eventsQueueKept: true });
});

it('workers SIGKILLed at random points, three times, each restarted', async ({ gmail: h }) => {
  // Messages are stored 50 at a time and parsed up to 100 ahead: with fast fetches the last
  // quarter could be fetched, parsed and written between the last kill point and the kill. Slow
  // fetches make fetching the bottleneck, so what is left to store is still to be fetched.
  slowFetches(h, 60);
  const run = await prepare(h, {
    databaseUrl: await sharedDatabase(),
    redisUrl: testRedisUrl(),
    owner: 'killed.workers@northwind.com',
    total: TOTAL,
  });
  const random = seeded(15);
  const workers = [run.startWorker(), run.startWorker()];
  let stored = 0;
  for (let kill = 1; kill <= KILLS; kill++) {
    // A seeded progress point in the kill's share of the mailbox (past what the last kill left),
    // then a seeded moment up to a quarter second later: mid-fetch, mid-parse or mid-commit.
    const share = TOTAL / (KILLS + 1);
    await waitMidSync(run, Math.max(stored + 1, Math.floor(share * (kill - 1 + random()))));
    await sleep(Math.floor(random() * 250));
    // The victim is the worker running the sync: BullMQ names the process on the job it runs.
    let victim = -1;
    await waitFor(async () => {
      const pid = await syncRunner(run);
      victim = workers.findIndex((w) => w.child.pid === pid && w.child.exitCode === null);
      return victim >= 0;
    }, 'a worker running the sync');
    await stop(workers[victim] as Watched, 'SIGKILL');
    stored = await run.stored();
    workers[victim] = run.startWorker();
  }

  await waitSyncComplete(run);
  // Every kill took the sync's worker: its job was handed on once its lock had expired.
  const syncs = await completedSyncs(run);
  expect(syncs.stalls).toBeGreaterThanOrEqual(1);
  await expectEachStoredOnce(run, { eventsQueueKept: true });
});
