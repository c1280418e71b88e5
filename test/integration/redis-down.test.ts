import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import { pollMailboxesJob } from '../../jobs/poll-mailboxes.job.ts';
import { initServices } from '../../src/app/services.ts';
import { parseConfig } from '../../src/config.ts';
import { connectMailboxViaCli, json, runCli } from '../helpers/run-cli.ts';
import { sampleSum } from '../helpers/prometheus-text.ts';
import { waitFor } from '../helpers/wait-for.ts';
import {
  freePort,
  freshDatabase,
  REPO_ROOT,
  spawnWatched,
  startRedis,
  stop,
  type Watched,
} from '../helpers/processes.ts';
import {
  createMailbox,
  createWorkspace,
  openTestOrm,
  testDatabaseUrl,
} from '../helpers/test-orm.ts';
import { apiDeps } from '../../src/http/api-deps.ts';
import { httpStatusOf, MailroomError } from '../../src/errors.ts';

/**
 * Issue 10 item 8: with Redis down, producers (the CLI, the OAuth callback) fail fast with one
 * line naming REDIS_URL; a mailbox stored meanwhile is queued by the next poll; `/readyz` says
 * not ready while `/healthz` stays up; a worker logs one warning per outage and recovers.
 */
const REAL_REDIS = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const baseEnv = (redisUrl: string) => ({
  DATABASE_URL: testDatabaseUrl(),
  REDIS_URL: redisUrl,
  MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
});

const started: Watched[] = [];
const databases: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(started.map((w) => stop(w, 'SIGKILL')));
  for (const drop of databases) {
    await drop();
  }
});

const jsonLines = (lines: string[]) =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as { level: number; msg: string }];
    } catch {
      return [];
    }
  });

describe('Redis down', () => {
  it('mailbox:connect fails with one line naming REDIS_URL; the next poll queues the mailbox', async () => {
    const down = `redis://127.0.0.1:${String(await freePort())}`;
    const env = baseEnv(down);
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Acme', '--domain', 'acme.com'], env),
    );
    const connect = await runCli(
      [
        'mailbox:connect',
        '--workspace',
        ws,
        '--provider',
        'google',
        '--email',
        'rep@acme.com',
        '--refresh-token',
        'token-1',
      ],
      env,
    );
    expect(connect.code).not.toBe(0);
    expect(connect.stdout).toBe('');
    const lines = connect.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*REDIS_URL/);
    expect(lines[0]).toContain('next poll');

    // The mailbox was stored before the queue failed: the worker's next poll must queue it.
    const exported = json<{ emails: unknown[] }>(await runCli(['export', '--workspace', ws], env));
    expect(exported.emails).toEqual([]);
    const mailboxId = /mailbox ([0-9a-f-]{36})/.exec(lines[0] ?? '')?.[1];
    expect(mailboxId).toBeDefined();
    const status = json<{ status: string }>(
      await runCli(['mailbox:status', '--mailbox', mailboxId ?? ''], env),
    );
    expect(status.status).toBe('active');

    const config = parseConfig({ ...env, REDIS_URL: REAL_REDIS });
    const services = await initServices(config, { queueRole: 'producer' });
    try {
      const ctx = services.jobContext();
      await ctx.syncQueue.waitUntilReady();
      const run = {
        progress: () => undefined,
        signal: new AbortController().signal,
        stop: new AbortController().signal,
      };
      await pollMailboxesJob.handle({} as never, {}, ctx, run);
      const jobId = await ctx.syncQueue.getDeduplicationJobId(
        mailboxSyncJob.deduplicationId({ mailboxId: mailboxId ?? '' }),
      );
      const job = jobId ? await ctx.syncQueue.getJob(jobId) : undefined;
      expect(job?.data).toEqual({ mailboxId });
      await ctx.syncQueue.obliterate({ force: true });
    } finally {
      await services.close();
    }
  });

  it('sync fails with one line naming REDIS_URL', async () => {
    const env = baseEnv(REAL_REDIS);
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Acme', '--domain', 'acme.com'], env),
    );
    const { id: mb } = await connectMailboxViaCli(env, ws, 'rep@acme.com', 'token-1');
    const sync = await runCli(['sync', '--mailbox', mb], {
      ...env,
      REDIS_URL: `redis://127.0.0.1:${String(await freePort())}`,
    });
    expect(sync.code).not.toBe(0);
    expect(sync.stdout).toBe('');
    const lines = sync.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*REDIS_URL/);
    const connection = new Redis(REAL_REDIS, { maxRetriesPerRequest: null });
    const queue = new Queue('sync', { connection, prefix: env.MAILROOM_QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('the OAuth callback scheduling fails fast with one line naming REDIS_URL, instead of hanging', async () => {
    const config = parseConfig({
      ...baseEnv(`redis://127.0.0.1:${String(await freePort())}`),
    });
    const orm = await openTestOrm();
    const services = await initServices(config, { orm });
    try {
      const mailboxId = await createMailbox(orm, await createWorkspace(orm), 'rep@acme.com');
      // What the callback calls once the mailbox is stored (complete-connection.ts).
      const failure = await apiDeps(services)
        .scheduleSync(mailboxId)
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(failure).toBeInstanceOf(MailroomError);
      expect((failure as MailroomError).code).toBe('SCHEDULE_FAILED');
      expect(httpStatusOf((failure as MailroomError).code)).toBe(503);
      expect((failure as MailroomError).message).toMatch(
        new RegExp(`^mailbox ${mailboxId} was stored .*REDIS_URL=.*next poll will queue it$`),
      );
    } finally {
      await services.close();
      await orm.close(true);
    }
  });

  it('/readyz answers 503 while /healthz answers 200, and 200 once Redis is back', async () => {
    const redisPort = await freePort();
    const port = await freePort();
    const env = { ...baseEnv(`redis://127.0.0.1:${String(redisPort)}`), PORT: String(port) };
    const api = spawnWatched(process.execPath, ['src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...env },
    });
    started.push(api);
    await api.waitForStderr((l) => l.includes('Server listening'));
    const base = `http://127.0.0.1:${String(port)}`;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      status: 'unavailable',
      checks: { postgres: 'ok', redis: expect.stringContaining('REDIS_URL') as unknown },
    });

    const redis = await startRedis(redisPort);
    started.push(redis);
    await api.waitForStderr((l) => l.includes('Redis is reachable again'), 30_000);
    // The API holds more than one Redis connection (queue, rate limit); the first to reconnect
    // logs the line above, the queue's may follow a moment later.
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, '/readyz ready');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', redis: 'ok' },
    });
    await stop(api);
    await stop(redis);
  });

  it('a worker logs one warning per outage, not a flood, and works again when Redis returns', async () => {
    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    started.push(redis);
    const db = await freshDatabase(testDatabaseUrl());
    databases.push(db.drop);
    const env = {
      ...baseEnv(`redis://127.0.0.1:${String(redisPort)}`),
      DATABASE_URL: db.url,
      MAILROOM_SHUTDOWN_GRACE_SECONDS: '2',
      MAILROOM_WORKER_METRICS_PORT: String(await freePort()),
    };
    const scrapeWorker = async () => {
      const res = await fetch(`http://127.0.0.1:${env.MAILROOM_WORKER_METRICS_PORT}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const worker = spawnWatched(process.execPath, ['src/worker.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...env },
    });
    started.push(worker);
    await worker.waitForStderr((l) => l.includes('worker started'));
    const before = worker.stderr.length;

    await stop(redis);
    await worker.waitForStderr((l) => l.includes('Redis is unreachable'), 30_000);
    // The worker's metrics still answer (its queue reads are bounded), with its queues down.
    const outage = await scrapeWorker();
    expect(sampleSum(outage, 'mailroom_queue_up', { queue: 'sync' })).toBe(0);
    expect(sampleSum(outage, 'mailroom_queue_up', { queue: 'webhooks' })).toBe(0);
    // Let the worker's connections retry for a while: every retry used to log an error line.
    // The assertion does not depend on how many retries fit in this pause.
    await new Promise((r) => setTimeout(r, 3_000));
    redis = await startRedis(redisPort);
    started.push(redis);
    await worker.waitForStderr((l) => l.includes('Redis is reachable again'), 30_000);

    const during = jsonLines(worker.stderr.slice(before));
    expect(during.filter((l) => l.msg.includes('Redis is unreachable'))).toHaveLength(1);
    expect(during.filter((l) => l.level >= 50)).toEqual([]);
    expect(during.filter((l) => l.level === 40)).toHaveLength(1);

    // It works again: a job queued now is taken by this worker (one it has no handler for, so
    // it fails at once without touching any mailbox).
    const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('sync', { connection, prefix: env.MAILROOM_QUEUE_PREFIX });
    const job = await queue.add('no-such-job', {}, { jobId: `probe-${randomUUID()}` });
    const deadline = Date.now() + 60_000;
    while (!(await job.isFailed()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await queue.getJob(job.id ?? ''))?.failedReason).toBe('no handler for job no-such-job');
    const back = await scrapeWorker();
    expect(sampleSum(back, 'mailroom_queue_up', { queue: 'sync' })).toBe(1);
    expect(sampleSum(back, 'mailroom_queue_jobs', { queue: 'sync', state: 'failed' })).toBe(1);
    await queue.close();
    connection.disconnect();

    // A second outage gets its own warning; a SIGTERM during it does not wait for Redis for ever
    // (BullMQ's worker.close() does), the grace period ends the process.
    const second = worker.stderr.length;
    await stop(redis);
    await worker.waitForStderr(
      (l) => worker.stderr.indexOf(l) >= second && l.includes('Redis is unreachable'),
      30_000,
    );
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(1);
    expect(worker.stderr.some((l) => l.includes('shutdown did not finish in time'))).toBe(true);
  }, 120_000);
});
