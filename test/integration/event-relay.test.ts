import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { MailroomError } from '../../src/errors.ts';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventsQueueSink,
  startEventRelay,
  type EventRelay,
  type EventSink,
} from '../../src/app/event-relay.ts';
import { dropDatabase } from '../../src/db/create-database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { appendEvents } from '../../src/db/outbox.ts';
import { eventId, type EventEnvelope } from '../../src/events/envelope.ts';
import { createLogger } from '../../src/logger.ts';
import { createEventsQueue } from '../../src/queue/events-queue.ts';
import type { Config } from '../../src/config.ts';
import {
  createMailbox,
  createWorkspace,
  testDatabaseUrl,
  testRedisUrl,
} from '../helpers/test-orm.ts';
import { freePort, REPO_ROOT, spawnWatched } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { json, runCli } from '../helpers/run-cli.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const RELAY_PROCESS = fileURLToPath(new URL('../helpers/relay-process.ts', import.meta.url));
// Far beyond any wait below: an event that arrives was carried by NOTIFY, not by the poll.
const NO_POLL_MS = 3_600_000;

/**
 * The relay numbers every row of the database it runs on, so each test gets a database of its own
 * (the run's shared one has other files' rows) and a queue prefix of its own.
 */
interface World {
  url: string;
  orm: Orm;
  prefix: string;
  redis: Redis;
  queue: Queue<EventEnvelope>;
  relays: EventRelay[];
}
const worlds: World[] = [];

async function world(): Promise<World> {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/mailroom_relay_${randomBytes(4).toString('hex')}`;
  await migrate(url.toString());
  const orm = await initORM(url.toString());
  const prefix = `relay-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const queue = createEventsQueue({ sync: { queuePrefix: prefix } } as Config, redis);
  const w = { url: url.toString(), orm, prefix, redis, queue, relays: [] };
  worlds.push(w);
  return w;
}

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    for (const relay of w.relays) {
      await relay.stop();
    }
    await w.queue.obliterate({ force: true });
    await w.queue.close();
    w.redis.disconnect();
    await w.orm.close(true);
    await dropDatabase(w.url);
  }
});

function relay(
  w: World,
  opts: { max?: number; extraSinks?: EventSink[]; onIdle?: () => void; batchSize?: number } = {},
): EventRelay {
  const r = startEventRelay({
    orm: w.orm,
    databaseUrl: w.url,
    log: createLogger('silent'),
    pollMs: NO_POLL_MS,
    batchSize: opts.batchSize,
    onIdle: opts.onIdle,
    sinks: [
      eventsQueueSink(w.queue, opts.max ?? 100_000, () =>
        w.queue.waitUntilReady().then(() => undefined),
      ),
      ...(opts.extraSinks ?? []),
    ],
  });
  w.relays.push(r);
  return r;
}

/** One transaction appending `n` person.created events; returns their person ids. */
async function writeEvents(orm: Orm, ws: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await orm.em.fork().transactional(async (tx) => {
    await appendEvents(
      tx,
      ids.map((id) => ({
        type: 'person.created' as const,
        workspaceId: ws,
        aggregateId: id,
        occurrence: id,
        data: { personId: id, email: `${id}@example.com` },
      })),
    );
  });
  return ids;
}

/** The waiting jobs, oldest first. */
async function waitingJobs(queue: Queue<EventEnvelope>) {
  const jobs = await queue.getJobs(['wait'], 0, -1, true);
  return jobs.map((j) => ({ id: j.id, name: j.name, data: j.data }));
}

async function outbox(orm: Orm) {
  const rows = await orm.em.fork().execute<
    { id: string; seq: string | null; published: boolean; person_id: string | null }[]
  >(`select id, seq, published_at is not null as published, payload->>'personId' as person_id
         from outbox_event order by id`);
  return rows;
}

async function allPublished(orm: Orm, count: number): Promise<boolean> {
  const rows = await outbox(orm);
  return rows.length === count && rows.every((r) => r.published);
}

describe('event relay', () => {
  it('publishes each outbox row as its envelope, job id = event id, in feed order', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    const mailboxId = await createMailbox(w.orm, ws, 'rep@relay.example');
    const first = await writeEvents(w.orm, ws, 2);
    const second = await writeEvents(w.orm, ws, 1);
    relay(w);
    await waitFor(() => allPublished(w.orm, 4), 'four events published');

    const jobs = await waitingJobs(w.queue);
    expect(jobs.map((j) => j.id)).toEqual([1, 2, 3, 4].map((n) => eventId(String(n))));
    expect(jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id).sort());
    const [connected, ...people] = jobs;
    expect(connected).toMatchObject({
      name: 'mailbox.connected',
      data: {
        id: 'evt_0000000000000000001',
        type: 'mailbox.connected',
        workspaceId: ws,
        data: { mailboxId, email: 'rep@relay.example', provider: 'google' },
      },
    });
    expect(new Date(connected?.data.occurredAt ?? '').toISOString()).toBe(
      connected?.data.occurredAt,
    );
    expect(people.map((j) => [j.name, j.data.id, j.data.data['personId']])).toEqual(
      [...first, ...second].map((p, i) => ['person.created', eventId(String(i + 2)), p]),
    );
    expect(Object.keys(people[0]?.data ?? {}).sort()).toEqual(
      ['data', 'id', 'occurredAt', 'type', 'workspaceId'].sort(),
    );
  });

  it('is woken by NOTIFY: with the poll an hour away, a new event still arrives', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    let idles = 0;
    relay(w, {
      onIdle: () => {
        idles += 1;
      },
    });
    await waitFor(async () => Promise.resolve(idles > 0), 'the relay idle');
    const asleep = idles;
    const [person] = await writeEvents(w.orm, ws, 1);
    await waitFor(() => allPublished(w.orm, 1), 'the event published');
    expect(idles).toBeGreaterThan(asleep);
    expect((await waitingJobs(w.queue)).map((j) => j.data.data['personId'])).toEqual([person]);
  });

  it('a relay SIGKILLed between publishing and marking: after a restart each event is queued once, same ids', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    const persons = await writeEvents(w.orm, ws, 5);
    const child = spawn(process.execPath, [RELAY_PROCESS], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: w.url,
        REDIS_URL: testRedisUrl(),
        MAILROOM_QUEUE_PREFIX: w.prefix,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('published')) {
          resolve();
        }
      });
      child.once('exit', (code) => {
        reject(new Error(`relay process exited (${String(code)}) before publishing`));
      });
    });
    child.kill('SIGKILL');
    await exited;
    const before = await waitingJobs(w.queue);
    expect(before.map((j) => j.data.data['personId'])).toEqual(persons);
    expect((await outbox(w.orm)).every((r) => !r.published)).toBe(true);

    relay(w);
    await waitFor(() => allPublished(w.orm, 5), 'every event marked after the restart');
    const after = await waitingJobs(w.queue);
    expect(after).toEqual(before);
    expect(after.map((j) => j.id)).toEqual([1, 2, 3, 4, 5].map((n) => eventId(String(n))));
  });

  it('two relays at once: none skipped, none published twice, sequence without gaps', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    const seen: string[] = [];
    const record: EventSink = (events) => {
      seen.push(...events.map((e) => e.id));
      return Promise.resolve();
    };
    // Small batches so both relays take many turns while the writers go on.
    relay(w, { extraSinks: [record], batchSize: 50 });
    relay(w, { extraSinks: [record], batchSize: 50 });
    const writers = Array.from({ length: 40 }, () => writeEvents(w.orm, ws, 25));
    const persons = (await Promise.all(writers)).flat();
    await waitFor(() => allPublished(w.orm, 1000), 'a thousand events published');

    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
    const rows = await outbox(w.orm);
    const seqs = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const jobs = await waitingJobs(w.queue);
    expect(jobs.map((j) => j.id)).toEqual(seqs.map((s) => eventId(String(s))));
    expect(new Set(jobs.map((j) => j.data.data['personId']))).toEqual(new Set(persons));
    // Each job carries its own row.
    const bySeq = new Map(rows.map((r) => [eventId(String(r.seq)), r.person_id]));
    expect(jobs.every((j) => bySeq.get(j.id ?? '') === j.data.data['personId'])).toBe(true);
  });

  it('a transaction that commits late with a lower identity id is not skipped and comes later in the feed', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    relay(w);
    const late = randomUUID();
    let commit!: () => void;
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const lateTx = w.orm.em.fork().transactional(async (tx) => {
      await appendEvents(tx, [
        {
          type: 'person.created',
          workspaceId: ws,
          aggregateId: late,
          occurrence: late,
          data: { personId: late, email: 'late@example.com' },
        },
      ]);
      inserted();
      await held;
    });
    await insertedSignal;
    const [early] = await writeEvents(w.orm, ws, 1);
    await waitFor(async () => {
      const rows = await outbox(w.orm);
      return rows.some((r) => r.person_id === early && r.published);
    }, 'the early event published');
    commit();
    await lateTx;
    await waitFor(() => allPublished(w.orm, 2), 'the late event published');

    const rows = await outbox(w.orm);
    const lateRow = rows.find((r) => r.person_id === late);
    const earlyRow = rows.find((r) => r.person_id === early);
    expect(Number(lateRow?.id)).toBeLessThan(Number(earlyRow?.id));
    expect(Number(lateRow?.seq)).toBeGreaterThan(Number(earlyRow?.seq));
    expect((await waitingJobs(w.queue)).map((j) => j.data.data['personId'])).toEqual([early, late]);
  });

  it('keeps at most MAILROOM_EVENTS_QUEUE_MAX waiting jobs, dropping the oldest', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    const persons = await writeEvents(w.orm, ws, 12);
    relay(w, { max: 5 });
    await waitFor(() => allPublished(w.orm, 12), 'twelve events published');
    const jobs = await waitingJobs(w.queue);
    expect(jobs.map((j) => j.id)).toEqual([8, 9, 10, 11, 12].map((n) => eventId(String(n))));
    expect(jobs.map((j) => j.data.data['personId'])).toEqual(persons.slice(7));
    // The dropped jobs are gone entirely, not only unlisted.
    expect(await w.queue.getJob(eventId('1'))).toBeUndefined();
  });

  it('runs in `npm run worker`: a connected mailbox reaches the queue, and SIGTERM stops it cleanly', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    const worker = spawnWatched(process.execPath, ['src/worker.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: w.url,
        REDIS_URL: testRedisUrl(),
        MAILROOM_QUEUE_PREFIX: w.prefix,
        MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        // Only NOTIFY can carry the event within the test.
        MAILROOM_EVENTS_POLL_MS: String(NO_POLL_MS),
        // Its own metrics port: other test files may run a worker at the same time.
        MAILROOM_WORKER_METRICS_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
    });
    try {
      await worker.waitForStderr((l) => l.includes('worker started'), 60_000);
      const mailboxId = await createMailbox(w.orm, ws, 'rep@worker.example');
      await waitFor(() => allPublished(w.orm, 1), 'mailbox.connected published');
      expect(await waitingJobs(w.queue)).toMatchObject([
        { id: eventId('1'), name: 'mailbox.connected', data: { data: { mailboxId } } },
      ]);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      // The worker's first poll may also queue the mailbox's sync, which cannot open the test's
      // throwaway token and says so per job: that is the sync's business, not the relay's.
      const problems = worker.stderr.filter(
        (l) => /"level":(4|5)0/.test(l) && !l.includes('"job":'),
      );
      expect(problems).toEqual([]);
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
      // The worker's poll scheduler and its first poll.
      const sync = new Queue('sync', { connection: w.redis, prefix: w.prefix });
      await sync.obliterate({ force: true });
      await sync.close();
    }
  });

  it('in `npm run worker` the relay fans out to webhooks: a signed delivery of what is published after the webhook was made', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    const receiver = await startReceiver();
    const env = {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: w.url,
      REDIS_URL: testRedisUrl(),
      MAILROOM_QUEUE_PREFIX: w.prefix,
      MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MAILROOM_EVENTS_POLL_MS: String(NO_POLL_MS),
      MAILROOM_WEBHOOK_EGRESS: 'private',
      MAILROOM_WORKER_METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
    const worker = spawnWatched(process.execPath, ['src/worker.ts'], { cwd: REPO_ROOT, env });
    try {
      await worker.waitForStderr((l) => l.includes('worker started'), 60_000);
      // Published before the webhook exists: on the queue and in the feed, never sent to it.
      await createMailbox(w.orm, ws, 'early@worker.example');
      await waitFor(() => allPublished(w.orm, 1), 'the first event published');
      const created = json<{ id: string; secret: string }>(
        await runCli(['webhook:create', '--workspace', ws, '--url', receiver.url], env),
      );
      receiver.setSecret(created.secret);
      const mailboxId = await createMailbox(w.orm, ws, 'later@worker.example');
      await waitFor(() => Promise.resolve(receiver.received.length >= 1), 'a webhook delivery');
      await waitFor(() => allPublished(w.orm, 2), 'both events published');
      expect(receiver.received).toHaveLength(1);
      const [got] = receiver.received;
      expect(got?.verified).toBe(true);
      expect(got?.id).toBe(eventId('2'));
      expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
        id: eventId('2'),
        type: 'mailbox.connected',
        workspaceId: ws,
        data: { mailboxId },
      });
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
      await receiver.close();
      for (const name of ['sync', 'webhooks']) {
        const queue = new Queue(name, { connection: w.redis, prefix: w.prefix });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    }
  });

  it('a failing sink: one warning per outage (none when reported elsewhere), nothing lost', async () => {
    const w = await world();
    const ws = await createWorkspace(w.orm);
    const lines: { level: number; msg: string }[] = [];
    const log = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          lines.push(JSON.parse(line) as { level: number; msg: string });
        },
      },
    );
    let failure: Error | null = new MailroomError('QUEUE_UNAVAILABLE', 'Redis is unreachable');
    let attempts = 0;
    const failing: EventSink = () => {
      attempts += 1;
      return failure ? Promise.reject(failure) : Promise.resolve();
    };
    const r = startEventRelay({
      orm: w.orm,
      databaseUrl: w.url,
      log,
      pollMs: 20,
      reportedElsewhere: (err) => err instanceof MailroomError && err.code === 'QUEUE_UNAVAILABLE',
      sinks: [failing, eventsQueueSink(w.queue, 100, () => Promise.resolve())],
    });
    w.relays.push(r);
    await writeEvents(w.orm, ws, 3);
    await waitFor(async () => Promise.resolve(attempts >= 5), 'five failed attempts');
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);

    failure = new Error('something else');
    const from = attempts;
    await waitFor(async () => Promise.resolve(attempts >= from + 5), 'five more failed attempts');
    expect(lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([
      'event relay step failed; retrying',
    ]);
    expect((await outbox(w.orm)).every((row) => !row.published)).toBe(true);

    failure = null;
    await waitFor(() => allPublished(w.orm, 3), 'published once the sink works');
    expect(lines.at(-1)?.msg).toBe('event relay is publishing again');
    expect((await waitingJobs(w.queue)).map((j) => j.id)).toEqual(
      [1, 2, 3].map((n) => eventId(String(n))),
    );
  });
});
