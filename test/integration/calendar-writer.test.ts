import { describe, expect } from 'vitest';
import { writeCalendarChanges } from '../../src/ingest/write-calendar-events.ts';
import type { Orm } from '../../src/db/orm.ts';
import { loadIngestTarget } from '../../src/ingest/load-ingest-target.ts';
import type { CalendarEventData } from '../../src/providers/calendar-source.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { activities, exportOf, ingestRaw, people } from '../helpers/ingest.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

/**
 * The calendar writer against PostgreSQL, without a provider: one logical meeting across two
 * colleagues' calendars, invitations in mail linked by UID, people created by mail joining their
 * meetings, and concurrent writers creating a person once.
 */

const meeting = (over: Partial<CalendarEventData>): CalendarEventData => ({
  providerEventId: 'ev-1',
  icalUid: 'meeting-1@northwind.com',
  kind: 'single',
  seriesId: null,
  originalStart: null,
  status: 'confirmed',
  title: 'Pricing call',
  description: '',
  location: '',
  allDay: false,
  startsAt: new Date('2026-06-01T14:00:00Z'),
  endsAt: new Date('2026-06-01T15:00:00Z'),
  startDate: null,
  endDate: null,
  timeZone: null,
  organizer: { email: 'dana@northwind.com', name: 'Dana' },
  attendees: [
    {
      email: 'li@northwind.com',
      name: 'Li',
      responseStatus: 'accepted',
      optional: false,
      resource: false,
    },
    {
      email: 'buyer@client.com',
      name: 'Bea Buyer',
      responseStatus: 'accepted',
      optional: false,
      resource: false,
    },
  ],
  conferenceUrl: null,
  recurrence: [],
  providerUpdatedAt: null,
  ...over,
});

async function write(orm: Orm, ws: string, mb: string, events: CalendarEventData[]) {
  const target = await loadIngestTarget(orm.em.fork(), ws, mb);
  return writeCalendarChanges(
    orm.em.fork(),
    target,
    'primary',
    null,
    events.map((event) => ({ type: 'upsert' as const, event })),
  );
}

describe('calendar writer', () => {
  it('logs one meeting seen in two colleagues calendars once per person', async ({ orm }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const dana = await createMailbox(orm, ws, 'dana@northwind.com');
    const li = await createMailbox(orm, ws, 'li@northwind.com');
    await write(orm, ws, dana, [meeting({ providerEventId: 'google-id' })]);
    await write(orm, ws, li, [meeting({ providerEventId: 'AAMk-graph-id' })]);
    const out = await exportOf(orm, ws);
    expect(out.events).toHaveLength(2);
    expect(activities(out).map((a) => [a.type, a.personEmail])).toEqual([
      ['MEETING_SCHEDULED', 'buyer@client.com'],
    ]);
    // A change seen by both calendars is one update.
    const moved = {
      startsAt: new Date('2026-06-01T16:00:00Z'),
      endsAt: new Date('2026-06-01T17:00:00Z'),
    };
    await write(orm, ws, dana, [meeting({ providerEventId: 'google-id', ...moved })]);
    await write(orm, ws, li, [meeting({ providerEventId: 'AAMk-graph-id', ...moved })]);
    expect(
      activities(await exportOf(orm, ws))
        .filter((a) => a.type === 'MEETING_UPDATED')
        .map((a) => a.personEmail),
    ).toEqual(['buyer@client.com']);
    const outbox = await orm.em.fork().execute<{ type: string; n: string }[]>(
      `select type, count(*) as n from outbox_event where workspace_id = ? and type like 'meeting.%'
          group by type order by type`,
      [ws],
    );
    expect(outbox.map((r) => [r.type, Number(r.n)])).toEqual([
      ['meeting.scheduled', 1],
      ['meeting.updated', 1],
    ]);
    const meetingEvents = await orm.em.fork().execute<
      {
        type: string;
        aggregate_type: string;
        dedupe_key: string;
        payload: Record<string, string | null>;
      }[]
    >(
      `select type, aggregate_type, dedupe_key, payload from outbox_event
          where workspace_id = ? and type like 'meeting.%' order by type`,
      [ws],
    );
    expect(
      meetingEvents.map((e) => [
        e.type,
        e.aggregate_type,
        e.dedupe_key.startsWith(`${e.type}:${ws}:MEETING_`),
        e.payload.mailboxId,
        Object.keys(e.payload).sort(),
      ]),
    ).toEqual(
      ['meeting.scheduled', 'meeting.updated'].map((type) => [
        type,
        'calendar_event',
        true,
        dana,
        ['calendarEventId', 'iCalUid', 'mailboxId', 'occurredAt', 'personId'],
      ]),
    );
  });

  it('links an invitation email to its event by UID, whichever arrives first', async ({
    orm,
    pool,
  }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const dana = await createMailbox(orm, ws, 'dana@northwind.com');
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      'UID:meeting-1@northwind.com',
      'DTSTAMP:20260520T120000Z',
      'DTSTART:20260601T140000Z',
      'DTEND:20260601T150000Z',
      'SUMMARY:Pricing call',
      'ORGANIZER;CN=Dana:mailto:dana@northwind.com',
      'ATTENDEE;CN=Bea Buyer;PARTSTAT=NEEDS-ACTION:mailto:buyer@client.com',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const raw = Buffer.from(
      [
        'From: Dana <dana@northwind.com>',
        'To: Bea Buyer <buyer@client.com>',
        'Subject: Invitation: Pricing call',
        'Date: Wed, 20 May 2026 12:00:00 +0000',
        'Message-ID: <invite-1@northwind.com>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'You are invited.',
        '--b',
        'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
        '',
        ics,
        '--b--',
        '',
      ].join('\r\n'),
    );
    await ingestRaw(orm, pool, ws, dana, [raw]);
    let email = (await exportOf(orm, ws)).emails[0] as { invitation: unknown };
    expect(email.invitation).toEqual({
      method: 'REQUEST',
      iCalUid: 'meeting-1@northwind.com',
      linkedEvents: 0,
    });
    await write(orm, ws, dana, [meeting({})]);
    const out = await exportOf(orm, ws);
    email = out.emails[0] as { invitation: unknown };
    expect(email.invitation).toMatchObject({ linkedEvents: 1 });
    expect((out.events[0] as { invitations: unknown[] }).invitations).toEqual([
      { providerMessageId: expect.stringMatching(/^eml-/) as unknown, method: 'REQUEST' },
    ]);
  });

  it('puts a meeting on the timeline of a person created later by mail', async ({ orm, pool }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    // `sent`: meetings someone else organizes create nobody; mail Dana sends does.
    const dana = await createMailbox(orm, ws, 'dana@northwind.com', { policy: 'sent' });
    await write(orm, ws, dana, [
      meeting({ organizer: { email: 'buyer@client.com', name: 'Bea Buyer' }, attendees: [] }),
    ]);
    expect(people(await exportOf(orm, ws))).toEqual([]);
    await ingestRaw(orm, pool, ws, dana, [
      buildEml({
        from: 'Dana <dana@northwind.com>',
        to: ['Bea Buyer <buyer@client.com>'],
        messageId: '<follow-up@northwind.com>',
      }),
    ]);
    const out = await exportOf(orm, ws);
    expect(people(out).map((p) => p.email)).toEqual(['buyer@client.com']);
    expect(
      activities(out)
        .map((a) => a.type)
        .sort(),
    ).toEqual(['EMAIL_SENT', 'MEETING_SCHEDULED']);
    const event = out.events[0] as { attendees: { email: string; personEmail: string | null }[] };
    expect(event.attendees).toEqual([
      expect.objectContaining({ email: 'buyer@client.com', personEmail: 'buyer@client.com' }),
    ]);
  });

  it('creates a new attendee once when two calendars write at the same time', async ({ orm }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const mailboxes = await Promise.all(
      ['a', 'b', 'c', 'd'].map((n) => createMailbox(orm, ws, `${n}@northwind.com`)),
    );
    await Promise.all(
      mailboxes.map((mb, i) =>
        write(orm, ws, mb, [meeting({ providerEventId: `e-${String(i)}` })]),
      ),
    );
    const out = await exportOf(orm, ws);
    expect(people(out).map((p) => p.email)).toEqual(['buyer@client.com']);
    expect(activities(out)).toHaveLength(1);
  });

  it('cancels the stored occurrences of a series when the series itself is removed', async ({
    orm,
  }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const dana = await createMailbox(orm, ws, 'dana@northwind.com');
    const occurrence = (day: number) =>
      meeting({
        providerEventId: `series-1_2026060${String(day)}T140000Z`,
        kind: 'instance',
        seriesId: 'series-1',
        originalStart: new Date(`2026-06-0${String(day)}T14:00:00Z`),
        startsAt: new Date(`2026-06-0${String(day)}T14:00:00Z`),
        endsAt: new Date(`2026-06-0${String(day)}T15:00:00Z`),
      });
    await write(orm, ws, dana, [occurrence(1), occurrence(2), occurrence(3)]);
    const target = await loadIngestTarget(orm.em.fork(), ws, dana);
    // Only the series' id, as a provider may send it for a deleted series.
    const counters = await writeCalendarChanges(orm.em.fork(), target, 'primary', null, [
      { type: 'removed', providerEventId: 'series-1' },
    ]);
    // Three occurrences cancelled, one meeting (the series) cancelled for its one person.
    expect(counters).toMatchObject({ eventsCancelled: 3, activitiesCreated: 1 });
    const out = await exportOf(orm, ws);
    expect((out.events as { status: string }[]).map((e) => e.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(activities(out).filter((a) => a.type === 'MEETING_CANCELLED')).toHaveLength(1);

    // The same when the series arrives as a cancelled master with its data.
    await write(orm, ws, dana, [occurrence(4), occurrence(5)]);
    const again = await write(orm, ws, dana, [
      meeting({
        providerEventId: 'series-1',
        kind: 'master',
        status: 'cancelled',
        recurrence: ['RRULE:FREQ=DAILY'],
      }),
    ]);
    expect(again).toMatchObject({ eventsCancelled: 2 });
  });
});
