import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { databaseMigratedTo } from '../helpers/migrated-to.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

/**
 * Migration20261202030000_meeting_series against a database of its own, migrated up to the
 * migration before it and seeded with what the old rule wrote: one MEETING_SCHEDULED (and one
 * `meeting.scheduled` outbox row) per occurrence of a series, from Google (one UID for the whole
 * series) and from Outlook (Global Object IDs carrying each occurrence's date).
 */
const BEFORE = 'Migration20261202020000_mailbox_sync_alive';
const GOOGLE_UID = 'weekly123@google.com';
const goid = (date: string) =>
  `040000008200E00074C5B7101A82E008${date}A1B2C3D4E5F60708000000000000000010000000ABCDEF`;
const STARTS = [
  '2026-10-14T07:00:00Z',
  '2026-10-21T07:00:00Z',
  '2026-10-28T08:00:00Z',
  '2026-11-04T08:00:00Z',
];
const GRAPH_DATES = ['07EA0A0E', '07EA0A15', '07EA0A1C', '07EA0B04'];

let db: Awaited<ReturnType<typeof databaseMigratedTo>>;
let orm: Orm;

beforeAll(async () => {
  db = await databaseMigratedTo(BEFORE);
  ({ orm } = db);
});

afterAll(async () => {
  await db.drop();
});

const sql = <T extends object>(query: string, params: unknown[] = []) =>
  orm.em.fork().execute<T[]>(query, params);

interface Seeded {
  ws: string;
  people: { dana: string; bo: string };
  singleKey: string;
}

/** Old-style rows: per-occurrence keys `MEETING_SCHEDULED:<person>:ical:<uid>@<original start>`. */
async function seed(): Promise<Seeded> {
  const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
  const mb = await createMailbox(orm, ws, 'rep@northwind.com');
  const people = { dana: randomUUID(), bo: randomUUID() };
  for (const [name, id] of Object.entries(people)) {
    await sql(
      `insert into person (id, workspace_id, primary_email, source) values (?, ?, ?, 'calendar')`,
      [id, ws, `${name}@client.com`],
    );
  }
  const event = async (
    providerEventId: string,
    icalUid: string,
    kind: string,
    seriesId: string | null,
    start: string,
  ) => {
    const id = randomUUID();
    const logicalKey =
      kind === 'instance' ? `ical:${icalUid}@${new Date(start).toISOString()}` : `ical:${icalUid}`;
    await sql(
      `insert into calendar_event (id, workspace_id, mailbox_id, calendar_id, provider_event_id,
         ical_uid, recurring_event_id, kind, original_start, logical_key, fingerprint, title,
         starts_at, ends_at, status)
       values (?, ?, ?, 'primary', ?, ?, ?, ?, ?, ?, 'f', 'Weekly', ?, ?, 'confirmed')`,
      [
        id,
        ws,
        mb,
        providerEventId,
        icalUid,
        seriesId,
        kind,
        kind === 'instance' ? start : null,
        logicalKey,
        start,
        start,
      ],
    );
    return { id, logicalKey };
  };
  const scheduled = async (
    personId: string,
    ev: { id: string; logicalKey: string },
    at: string,
  ) => {
    const key = `MEETING_SCHEDULED:${personId}:${ev.logicalKey}`;
    await sql(
      `insert into activity (id, workspace_id, type, person_id, calendar_event_id, ical_uid,
         occurred_at, idempotency_key)
       values (?, ?, 'MEETING_SCHEDULED', ?, ?, null, ?, ?)`,
      [randomUUID(), ws, personId, ev.id, at, key],
    );
    await sql(
      `insert into outbox_event (workspace_id, type, aggregate_type, aggregate_id, payload, dedupe_key)
       values (?, 'meeting.scheduled', 'calendar_event', ?, '{}'::jsonb, ?)`,
      [ws, ev.id, `meeting.scheduled:${ws}:${key}`],
    );
    return key;
  };
  // Written in reverse order, so "earliest" cannot mean "first inserted".
  for (let i = 3; i >= 0; i--) {
    const start = STARTS[i] ?? '';
    const google = await event(`g_${String(i)}`, GOOGLE_UID, 'instance', 'g', start);
    await scheduled(people.dana, google, start);
    await scheduled(people.bo, google, start);
    const graph = await event(`o_${String(i)}`, goid(GRAPH_DATES[i] ?? ''), 'instance', 'o', start);
    await scheduled(people.dana, graph, start);
  }
  const single = await event('single', 'demo@google.com', 'single', null, '2026-11-10T14:00:00Z');
  const singleKey = await scheduled(people.dana, single, '2026-11-10T14:00:00Z');
  return { ws, people, singleKey };
}

interface ActivityRow {
  person_id: string;
  idempotency_key: string;
  occurred_at: Date;
}

const scheduledOf = (ws: string) =>
  sql<ActivityRow>(
    `select person_id, idempotency_key, occurred_at from activity
      where workspace_id = ? and type = 'MEETING_SCHEDULED' order by idempotency_key`,
    [ws],
  );

describe('Migration20261202030000_meeting_series', () => {
  it('collapses per-occurrence MEETING_SCHEDULED into one per series and person, idempotently', async () => {
    const { ws, people, singleKey } = await seed();
    expect(await scheduledOf(ws)).toHaveLength(13);
    const [outboxBefore] = await sql<{ n: string }>(
      `select count(*) as n from outbox_event where workspace_id = ?`,
      [ws],
    );

    await orm.migrator.up();

    const after = await scheduledOf(ws);
    const expected = [
      {
        person_id: people.bo,
        idempotency_key: `MEETING_SCHEDULED:${people.bo}:ical:${GOOGLE_UID}`,
      },
      {
        person_id: people.dana,
        idempotency_key: `MEETING_SCHEDULED:${people.dana}:ical:${goid('00000000')}`,
      },
      {
        person_id: people.dana,
        idempotency_key: `MEETING_SCHEDULED:${people.dana}:ical:${GOOGLE_UID}`,
      },
      { person_id: people.dana, idempotency_key: singleKey },
    ].sort((a, b) => a.idempotency_key.localeCompare(b.idempotency_key));
    expect(after.map(({ person_id, idempotency_key }) => ({ person_id, idempotency_key }))).toEqual(
      expected,
    );
    // The earliest occurrence's activity is the one kept.
    const series = after.filter((a) => a.idempotency_key !== singleKey);
    expect(series.map((a) => new Date(a.occurred_at).toISOString())).toEqual(
      series.map(() => '2026-10-14T07:00:00.000Z'),
    );
    // Outbox rows are history already announced: none deleted.
    const [outboxAfter] = await sql<{ n: string }>(
      `select count(*) as n from outbox_event where workspace_id = ?`,
      [ws],
    );
    expect(outboxAfter?.n).toBe(outboxBefore?.n);

    // Run again (down, then up): nothing changes.
    await orm.migrator.down({ to: BEFORE });
    await orm.migrator.up();
    expect(await scheduledOf(ws)).toEqual(after);
  });
});
