import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { GmailEmulator } from '../../emulators/google/gmail-emulator.ts';
import { migrate } from '../../src/db/migrate.ts';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { eventId } from '../../src/events/envelope.ts';
import { EVENTS_QUEUE } from '../../src/queue/events-queue.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { buildEml } from './build-eml.ts';
import { connectGmailMailbox, type GmailHarness } from './gmail-harness.ts';
import { storedEmails } from './kill-worker-process.ts';
import { REPO_ROOT, spawnWatched, stop, type Watched } from './processes.ts';
import { createWorkspace } from './test-orm.ts';
import { waitFor } from './wait-for.ts';
import { workerNodeFlags } from '../../bench/worker-node-flags.ts';

/**
 * The fault suite's common run (issue 15): a generated Gmail mailbox synced by real worker
 * processes (`node <flags> src/worker.ts`, as `npm run worker` runs it) against a database and a Redis of
 * the test's choosing, and the end-state checks every fault must leave true: each provider
 * message stored once, no duplicate activity, no duplicate event.
 */

export const INTERNAL_DOMAIN = 'northwind.com';

/** What a generated mailbox must give once synced, whatever happened during the sync. */
export interface ExpectedMail {
  total: number;
  inbound: number;
  outbound: number;
  /** Inbound answers to one of our outbound messages: each an `email.replied`. */
  replies: number;
  persons: number;
  companies: number;
}

/**
 * `total` messages, oldest first, one a minute: every fifth is ours to an external person, the
 * next that person's reply to it (In-Reply-To and References), the rest inbound from a pool of
 * 40 correspondents at 13 companies, so people and companies recur across messages and pages.
 */
export function fillMailbox(emulator: GmailEmulator, owner: string, total: number): ExpectedMail {
  const persons = new Set<string>();
  const companies = new Set<string>();
  let outbound = 0;
  let replies = 0;
  for (let i = 0; i < total; i++) {
    const date = new Date(Date.UTC(2026, 8, 1, 0, i)).toUTCString();
    const slot = i % 5;
    // The correspondent of a pair (ours, then the reply) is the same person.
    const n = slot <= 1 ? Math.floor(i / 5) % 40 : i % 40;
    const address = `p${String(n)}@co${String(n % 13)}.com`;
    persons.add(address);
    companies.add(`co${String(n % 13)}.com`);
    let raw: Buffer;
    if (slot === 0) {
      outbound++;
      raw = buildEml({
        from: `Rep <${owner}>`,
        to: [`P${String(n)} <${address}>`],
        subject: `Proposal ${String(i)}`,
        messageId: `<out-${String(i)}@${INTERNAL_DOMAIN}>`,
        date,
      });
    } else if (slot === 1) {
      replies++;
      const ours = `<out-${String(i - 1)}@${INTERNAL_DOMAIN}>`;
      raw = buildEml({
        from: `P${String(n)} <${address}>`,
        to: [owner],
        subject: `Re: Proposal ${String(i - 1)}`,
        messageId: `<re-${String(i)}@co${String(n % 13)}.com>`,
        inReplyTo: ours,
        references: [ours],
        date,
      });
    } else {
      raw = buildEml({
        from: `P${String(n)} <${address}>`,
        to: [owner],
        subject: `Question ${String(i)}`,
        messageId: `<q-${String(i)}@co${String(n % 13)}.com>`,
        date,
      });
    }
    emulator.store.addMessage(owner, raw);
  }
  return {
    total,
    inbound: total - outbound,
    outbound,
    replies,
    persons: persons.size,
    companies: companies.size,
  };
}

/** One fault scenario's world: its database, its queue prefix, its mailbox, its workers. */
export interface FaultRun {
  orm: Orm;
  env: Record<string, string>;
  workspaceId: string;
  mailboxId: string;
  expected: ExpectedMail;
  workers: Watched[];
  /** Starts a worker process (`node src/worker.ts`) on the run's database and queue. */
  startWorker(): Watched;
  stored(): Promise<number>;
  /** Stops every worker: SIGTERM, then at most their grace period. */
  stopWorkers(): Promise<void>;
  /** Stops the workers and closes the ORM; idempotent, for afterAll. */
  close(): Promise<void>;
}

export interface FaultRunOptions {
  databaseUrl: string;
  redisUrl: string;
  owner: string;
  total: number;
  env?: Record<string, string>;
}

/**
 * Migrates `databaseUrl` (made if missing), stores a workspace and the Gmail mailbox, fills the
 * emulator's mailbox. Workers poll every 2 s and re-assert the poll scheduler every second, so a
 * Redis that lost its jobs has the mailbox queued again at once; a job whose worker died is handed
 * on after its 2 s lock. Calendar sync is off: the suite is about mail.
 */
export async function prepareFaultRun(h: GmailHarness, opts: FaultRunOptions): Promise<FaultRun> {
  await migrate(opts.databaseUrl);
  const orm = await initORM(opts.databaseUrl);
  const workspaceId = await createWorkspace(orm, { domains: [INTERNAL_DOMAIN] });
  const mailboxId = await connectGmailMailbox(orm, h, workspaceId, opts.owner);
  const expected = fillMailbox(h.emulator, opts.owner, opts.total);
  const env = {
    ...h.env,
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
    MAILROOM_CALENDAR_SYNC: 'off',
    MAILROOM_POLL_INTERVAL_SECONDS: '2',
    MAILROOM_SCHEDULER_REASSERT_SECONDS: '1',
    MAILROOM_JOB_LOCK_SECONDS: '2',
    MAILROOM_SHUTDOWN_GRACE_SECONDS: '3',
    MAILROOM_METRICS: 'off',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const workers: Watched[] = [];
  let closed = false;
  return {
    orm,
    env,
    workspaceId,
    mailboxId,
    expected,
    workers,
    startWorker: () => {
      const worker = spawnWatched(process.execPath, [...workerNodeFlags(), 'src/worker.ts'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', ...env },
      });
      workers.push(worker);
      return worker;
    },
    stored: () => storedEmails(orm, mailboxId),
    // SIGTERM lets a job in flight finish its batch; the grace period bounds it.
    stopWorkers: async () => {
      await Promise.all(workers.map((w) => stop(w)));
    },
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await Promise.all(workers.map((w) => stop(w, 'SIGKILL')));
      await orm.close(true);
    },
  };
}

/**
 * Waits until the sync is under way: some but not all messages stored, at least `atLeast`. A
 * sync that finished first means the fault could not land mid-sync: the test must slow it down.
 */
export async function waitMidSync(run: FaultRun, atLeast = 1): Promise<number> {
  let stored = 0;
  await withWorkerLogs(run, () =>
    waitFor(
      async () => {
        stored = await run.stored();
        if (stored >= run.expected.total) {
          throw new Error(`the sync finished before the fault (${String(stored)} stored)`);
        }
        return stored >= atLeast;
      },
      `at least ${String(atLeast)} of ${String(run.expected.total)} messages stored`,
    ),
  );
  return stored;
}

/**
 * Waits until the mailbox is synced: every message stored and the mailbox `active` with a last
 * sync. A database that is down meanwhile (the PostgreSQL scenario) only makes a poll say no.
 */
export async function waitSyncComplete(run: FaultRun, boundMs = 90_000): Promise<void> {
  await withWorkerLogs(run, () =>
    waitFor(
      async () => {
        try {
          if ((await run.stored()) < run.expected.total) {
            return false;
          }
          const status = await mailboxStatus(run.orm.em.fork(), run.mailboxId);
          return status.status === 'active' && status.lastSyncedAt !== null;
        } catch {
          return false;
        }
      },
      'the sync to complete',
      boundMs,
    ),
  );
}

/** A failure with what each worker process said last: the only trace of why a sync is stuck. */
async function withWorkerLogs<T>(run: FaultRun, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const logs = run.workers.map(
      (w, i) =>
        `worker ${String(i)} (pid ${String(w.child.pid)}):\n${w.stderr.slice(-15).join('\n')}`,
    );
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`, { cause: err });
  }
}

/** Waits until the workers' relay has published every outbox row (the run's database is its own). */
export async function waitEventsRelayed(run: FaultRun): Promise<void> {
  await waitFor(async () => {
    const [row] = await run.orm.em
      .fork()
      .execute<{ n: string }[]>(
        'select count(*) as n from outbox_event where published_at is null',
      );
    return Number(row?.n) === 0;
  }, 'every outbox event to be relayed');
}

/**
 * The events on the `events` queue (nothing consumes it here) and the outbox's events, by id: the
 * relay must have put each outbox row there once, whatever it went through.
 */
export async function relayedEvents(
  run: FaultRun,
): Promise<{ queued: string[]; outbox: string[] }> {
  const connection = new Redis(run.env['REDIS_URL'] ?? '', { maxRetriesPerRequest: null });
  const queue = new Queue(EVENTS_QUEUE, {
    connection,
    prefix: run.env['MAILROOM_QUEUE_PREFIX'] ?? '',
  });
  try {
    const jobs = await queue.getJobs(['waiting', 'paused', 'delayed', 'completed', 'failed']);
    const rows = await run.orm.em
      .fork()
      .execute<{ seq: string }[]>('select seq::text as seq from outbox_event');
    // Event ids are zero-padded: their string order is the feed order.
    return {
      queued: jobs.map((j) => j.id ?? '').sort(),
      outbox: rows.map((r) => eventId(r.seq)).sort(),
    };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** What the end state holds, in the terms the suite asserts on. */
export interface EndState {
  emailRows: number;
  distinctProviderIds: number;
  activities: Record<string, number>;
  /** Activity idempotency keys held by more than one row. */
  duplicateActivityKeys: string[];
  /** The same activity type for the same person and email more than once. */
  duplicateActivities: string[];
  events: Record<string, number>;
  /** Outbox dedupe keys held by more than one row. */
  duplicateEventKeys: string[];
  /** The same event type about the same record (email, person, company) more than once. */
  duplicateEvents: string[];
}

export async function readEndState(run: FaultRun): Promise<EndState> {
  const em = run.orm.em.fork();
  const q = <T>(sql: string) => em.execute<T[]>(sql, [run.workspaceId]);
  const [emails] = await em.execute<{ rows: string; ids: string }[]>(
    `select count(*) as rows, count(distinct provider_message_id) as ids
       from email where mailbox_id = ?`,
    [run.mailboxId],
  );
  const tally = (rows: { k: string; n: string }[]) =>
    Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  const keys = (rows: { k: string }[]) => rows.map((r) => r.k);
  return {
    emailRows: Number(emails?.rows),
    distinctProviderIds: Number(emails?.ids),
    activities: tally(
      await q(
        'select type as k, count(*) as n from activity where workspace_id = ? group by type order by type',
      ),
    ),
    duplicateActivityKeys: keys(
      await q(`select idempotency_key as k from activity where workspace_id = ?
                 group by idempotency_key having count(*) > 1`),
    ),
    duplicateActivities: keys(
      await q(`select concat_ws(':', type, person_id, email_id) as k from activity
                 where workspace_id = ? group by type, person_id, email_id having count(*) > 1`),
    ),
    events: tally(
      await q(
        'select type as k, count(*) as n from outbox_event where workspace_id = ? group by type order by type',
      ),
    ),
    duplicateEventKeys: keys(
      await q(`select dedupe_key as k from outbox_event where workspace_id = ?
                 group by dedupe_key having count(*) > 1`),
    ),
    duplicateEvents: keys(
      await q(`select concat_ws(':', type, aggregate_id) as k from outbox_event
                 where workspace_id = ? group by type, aggregate_id having count(*) > 1`),
    ),
  };
}

/** The end state a fault-free sync of the generated mailbox gives. */
export function expectedEndState(e: ExpectedMail): EndState {
  return {
    emailRows: e.total,
    distinctProviderIds: e.total,
    activities: {
      EMAIL_RECEIVED: e.inbound,
      EMAIL_REPLIED: e.replies,
      EMAIL_SENT: e.outbound,
    },
    duplicateActivityKeys: [],
    duplicateActivities: [],
    events: {
      'company.created': e.companies,
      'email.received': e.inbound,
      'email.replied': e.replies,
      'email.sent': e.outbound,
      'mailbox.connected': 1,
      'person.created': e.persons,
    },
    duplicateEventKeys: [],
    duplicateEvents: [],
  };
}
