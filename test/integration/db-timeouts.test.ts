import type { Knex } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { classifyDbError } from '../../src/db/db-error.ts';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { loadIngestTarget } from '../../src/ingest/load-ingest-target.ts';
import { writeCalendarChanges } from '../../src/ingest/write-calendar-events.ts';
import type { CalendarEventData } from '../../src/providers/calendar-source.ts';
import { createMailbox, createWorkspace, testDatabaseUrl } from '../helpers/test-orm.ts';

/**
 * "No database timeouts" (issue 10): a worker frozen (SIGSTOP) inside a transaction that holds
 * its workspace's advisory lock stopped every other mailbox of the workspace for as long as it
 * stayed frozen. Here a private connection takes the lock in a transaction and never finishes;
 * another mailbox's write of that workspace must fail transient once `lock_timeout` runs out, and
 * succeed once `idle_in_transaction_session_timeout` has ended the frozen session. The timeouts
 * come from the environment, through the config, into every pooled session.
 */
const env = {
  DATABASE_URL: testDatabaseUrl(),
  MAILROOM_DB_LOCK_TIMEOUT_MS: '500',
  MAILROOM_DB_STATEMENT_TIMEOUT_MS: '30000',
  MAILROOM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1500',
};

let orm: Orm;

beforeAll(async () => {
  const config = parseConfig(env);
  orm = await initORM(config.db.url, config.db.timeouts);
});

afterAll(async () => {
  await orm.close(true);
});

const meeting: CalendarEventData = {
  providerEventId: 'ev-1',
  icalUid: 'frozen-1@northwind.com',
  kind: 'single',
  seriesId: null,
  originalStart: null,
  status: 'confirmed',
  title: 'Call',
  description: '',
  location: '',
  allDay: false,
  startsAt: new Date('2026-06-01T14:00:00Z'),
  endsAt: new Date('2026-06-01T15:00:00Z'),
  startDate: null,
  endDate: null,
  timeZone: null,
  organizer: { email: 'li@northwind.com', name: 'Li' },
  attendees: [],
  conferenceUrl: null,
  recurrence: [],
  providerUpdatedAt: null,
};

/** A bounded wait on a real signal; never an assertion about how long something took. */
async function until<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== null) {
      return value;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('database session timeouts', () => {
  it('sets every pooled session up with the configured timeouts', async () => {
    const rows = await orm.em.fork().execute<{ lock: string; statement: string; idle: string }[]>(
      `select current_setting('lock_timeout') as lock,
                current_setting('statement_timeout') as statement,
                current_setting('idle_in_transaction_session_timeout') as idle`,
    );
    expect(rows[0]).toEqual({ lock: '500ms', statement: '30s', idle: '1500ms' });
  });

  it('a frozen lock holder delays another mailbox of its workspace, it does not stop it', async () => {
    const testOrm = await initORM(testDatabaseUrl());
    try {
      const ws = await createWorkspace(testOrm, { domains: ['northwind.com'] });
      // Dana's worker froze holding the lock; Li's mailbox writes next.
      await createMailbox(testOrm, ws, 'dana@northwind.com');
      const other = await createMailbox(testOrm, ws, 'li@northwind.com');

      // The "frozen worker": takes the workspace lock in a transaction and then does nothing.
      const knex: Knex = orm.em.getKnex();
      const holder = await knex.transaction();
      const held = await holder.raw<{ rows: { pid: number }[] }>(
        'select pg_backend_pid() as pid, pg_advisory_xact_lock(hashtextextended(?, 0))',
        [ws],
      );
      const pid = held.rows[0]?.pid;
      // The server ends the session for us; its promise rejects then, which is expected.
      holder.executionPromise.catch(() => undefined);

      const target = await loadIngestTarget(orm.em.fork(), ws, other);
      const write = () =>
        writeCalendarChanges(orm.em.fork(), target, 'primary', null, [
          { type: 'upsert', event: meeting },
        ]);
      // Bounded: without lock_timeout this write waits for as long as the holder stays frozen.
      const first = await Promise.race([
        write().then(
          () => 'written',
          (err: unknown) => err,
        ),
        new Promise((r) =>
          setTimeout(() => {
            r('still waiting');
          }, 30_000),
        ),
      ]);
      expect(first).toBeInstanceOf(Error);
      expect((first as { code?: string }).code).toBe('55P03');
      expect(classifyDbError(first)).toBe('transient');

      // idle_in_transaction_session_timeout ends the frozen session and releases its lock.
      await until('the frozen session to be ended', async () => {
        const rows = await testOrm.em
          .fork()
          .execute<{ n: string }[]>('select count(*) as n from pg_stat_activity where pid = ?', [
            pid,
          ]);
        return rows[0]?.n === '0' ? true : null;
      });
      // Hand the dead connection back to the pool (the rollback fails: the session is gone).
      await holder.rollback().catch(() => undefined);
      // The retry the job would make now goes through.
      expect(await write()).toMatchObject({ eventsStored: 1 });
    } finally {
      await testOrm.close(true);
    }
  });
});
