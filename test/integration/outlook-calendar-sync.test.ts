import type { AttendeeType, ResponseType } from '@microsoft/microsoft-graph-types';
import { describe, expect } from 'vitest';
import { MailboxSchema } from '../../src/db/entities/mailbox.entity.ts';
import type { Orm } from '../../src/db/orm.ts';
import { loadIngestTarget } from '../../src/ingest/load-ingest-target.ts';
import { createProviderFactories } from '../../src/providers/registry.ts';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { runCalendarSync } from '../../src/sync/calendar-sync.ts';
import { it } from '../helpers/fixtures.ts';
import { silentLog } from '../helpers/gmail-harness.ts';
import { connectOutlookMailbox, type GraphHarness } from '../helpers/graph-harness.ts';
import { activities, exportOf, people } from '../helpers/ingest.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

/**
 * Outlook calendar sync end to end: the real Graph SDK against the HTTPS emulator's
 * calendarView/delta, through BullMQ, into PostgreSQL. Covers Windows and IANA zone names across a
 * DST change, occurrences of a series, all-day events, `isCancelled`, `@removed`, an expired delta
 * token and moving the window.
 */

interface EventView {
  providerEventId: string;
  title: string;
  startsAt: string | null;
  endsAt: string | null;
  allDay: boolean;
  startDate: string | null;
  endDate: string | null;
  status: string;
  organizer: string | null;
  kind: string;
  attendees: { email: string; responseStatus: string; personEmail: string | null }[];
}

const events = (e: { events: unknown[] }) => e.events as EventView[];
const sync = (orm: Orm, h: GraphHarness, mb: string) => runSyncNow(h.config, orm, silentLog, mb);
const cal = (h: GraphHarness) => h.emulator.calendars;

const attendee = (
  address: string,
  name: string,
  response: ResponseType = 'none',
  type: AttendeeType = 'required',
) => ({
  type,
  status: { response, time: '0001-01-01T00:00:00Z' },
  emailAddress: { name, address },
});

async function setup(orm: Orm, h: GraphHarness, email: string) {
  const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
  const mb = await connectOutlookMailbox(orm, h, ws, email);
  return { ws, mb };
}

function seedCalendar(h: GraphHarness, email: string) {
  const review = cal(h).upsertEvent(email, {
    subject: 'Contract review',
    start: { dateTime: '2026-03-09T09:00:00.0000000', timeZone: 'Pacific Standard Time' },
    end: { dateTime: '2026-03-09T10:00:00.0000000', timeZone: 'Pacific Standard Time' },
    isOrganizer: false,
    organizer: { emailAddress: { name: 'Bea Buyer', address: 'Buyer@Client.com' } },
    attendees: [
      attendee(email, 'Li', 'accepted'),
      attendee('legal@client.com', 'Lee Legal', 'tentativelyAccepted'),
      attendee('room7@client.com', 'Room 7', 'accepted', 'resource'),
    ],
  });
  const holiday = cal(h).upsertEvent(email, {
    subject: 'Trade fair',
    isAllDay: true,
    start: { dateTime: '2026-05-04T00:00:00.0000000', timeZone: 'W. Europe Standard Time' },
    end: { dateTime: '2026-05-06T00:00:00.0000000', timeZone: 'W. Europe Standard Time' },
    organizer: { emailAddress: { name: 'Li', address: email } },
    attendees: [attendee('hanna.berg@fairco.de', 'Hanna Berg')],
  });
  const standup = cal(h).upsertEvent(email, {
    subject: 'Partner stand-up',
    type: 'seriesMaster',
    start: { dateTime: '2026-10-14T09:00:00.0000000', timeZone: 'W. Europe Standard Time' },
    end: { dateTime: '2026-10-14T09:15:00.0000000', timeZone: 'W. Europe Standard Time' },
    recurrence: {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['wednesday'], firstDayOfWeek: 'monday' },
      range: {
        type: 'numbered',
        startDate: '2026-10-14',
        numberOfOccurrences: 3,
        recurrenceTimeZone: 'W. Europe Standard Time',
      },
    },
    organizer: { emailAddress: { name: 'Li', address: email } },
    attendees: [attendee('pm@partner.io', 'Pia Partner', 'accepted')],
  });
  return { review, holiday, standup };
}

describe('Outlook calendar sync through calendarView delta and the real Graph SDK', () => {
  it('converts Windows and IANA zones to UTC, keeps occurrences and all-day dates, links people', async ({
    orm,
    graph: h,
  }) => {
    const email = 'li@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    seedCalendar(h, email);

    const first = await sync(orm, h, mb);
    expect(first.calendar).toMatchObject({ calendars: 1, fullSyncs: 1, eventsStored: 5 });
    const out = await exportOf(orm, ws);
    const list = events(out);
    expect(list.map((e) => [e.title, e.startsAt, e.endsAt, e.allDay])).toEqual([
      // PDT (UTC-7) from 8 March 2026.
      ['Contract review', '2026-03-09T16:00:00.000Z', '2026-03-09T17:00:00.000Z', false],
      ['Trade fair', '2026-05-04T00:00:00.000Z', '2026-05-06T00:00:00.000Z', true],
      // 09:00 Berlin: CEST (UTC+2) until 25 October, CET (UTC+1) after.
      ['Partner stand-up', '2026-10-14T07:00:00.000Z', '2026-10-14T07:15:00.000Z', false],
      ['Partner stand-up', '2026-10-21T07:00:00.000Z', '2026-10-21T07:15:00.000Z', false],
      ['Partner stand-up', '2026-10-28T08:00:00.000Z', '2026-10-28T08:15:00.000Z', false],
    ]);
    expect(list.find((e) => e.title === 'Trade fair')).toMatchObject({
      startDate: '2026-05-04',
      endDate: '2026-05-06',
    });
    const review = list[0];
    expect(review?.organizer).toBe('buyer@client.com');
    expect(review?.attendees.map((a) => [a.email, a.responseStatus, a.personEmail])).toEqual([
      ['buyer@client.com', 'accepted', 'buyer@client.com'],
      ['legal@client.com', 'tentative', 'legal@client.com'],
      ['li@northwind.com', 'accepted', null],
      ['room7@client.com', 'accepted', null],
    ]);
    expect(people(out).map((p) => [p.email, p.firstName, p.lastName])).toEqual([
      ['buyer@client.com', 'Bea', 'Buyer'],
      ['hanna.berg@fairco.de', 'Hanna', 'Berg'],
      ['legal@client.com', 'Lee', 'Legal'],
      ['pm@partner.io', 'Pia', 'Partner'],
    ]);
    // review: 2 people; fair: 1; the stand-up series is one meeting: 1.
    expect(activities(out).filter((a) => a.type === 'MEETING_SCHEDULED')).toHaveLength(4);

    const again = await sync(orm, h, mb);
    expect(again.calendar).toMatchObject({ eventsStored: 0, activitiesCreated: 0, fullSyncs: 0 });
    expect(await exportOf(orm, ws)).toEqual(out);
  });

  it('handles isCancelled, @removed, updates and an expired delta token without duplicates', async ({
    orm,
    graph: h,
  }) => {
    const email = 'ana@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const seeded = seedCalendar(h, email);
    await sync(orm, h, mb);

    cal(h).upsertEvent(email, {
      ...seeded.review,
      start: { dateTime: '2026-03-09T11:00:00.0000000', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-03-09T12:00:00.0000000', timeZone: 'Pacific Standard Time' },
    });
    cal(h).cancelEvent(email, seeded.holiday.id);
    await sync(orm, h, mb);
    let out = await exportOf(orm, ws);
    expect(events(out).find((e) => e.title === 'Contract review')?.startsAt).toBe(
      '2026-03-09T18:00:00.000Z',
    );
    expect(events(out).find((e) => e.title === 'Trade fair')?.status).toBe('cancelled');
    const byType = (type: string) =>
      activities(out)
        .filter((a) => a.type === type)
        .map((a) => a.personEmail)
        .sort();
    expect(byType('MEETING_UPDATED')).toEqual(['buyer@client.com', 'legal@client.com']);
    expect(byType('MEETING_CANCELLED')).toEqual(['hanna.berg@fairco.de']);

    // The organizer cancels the series: Outlook removes it from Ana's calendar (@removed).
    cal(h).deleteEvent(email, seeded.standup.id);
    await sync(orm, h, mb);
    out = await exportOf(orm, ws);
    expect(
      events(out)
        .filter((e) => e.title === 'Partner stand-up')
        .map((e) => e.status),
    ).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // The series is cancelled once, not once per occurrence.
    expect(byType('MEETING_CANCELLED')).toEqual(['hanna.berg@fairco.de', 'pm@partner.io']);

    // An expired delta token: a new round in the same window; nothing is duplicated.
    cal(h).expireDelta(email);
    const resync = await sync(orm, h, mb);
    expect(resync.calendar).toMatchObject({ resyncs: 1, fullSyncs: 1, eventsStored: 0 });
    const after = await exportOf(orm, ws);
    expect(after.events).toEqual(out.events);
    expect(after.activities).toEqual(out.activities);
  });

  it('logs a recurring series as one meeting, and an occurrence changed on its own as its own', async ({
    orm,
    graph: h,
  }) => {
    const email = 'ray@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const zone = 'W. Europe Standard Time';
    const weekly = cal(h).upsertEvent(email, {
      subject: 'Weekly pipeline',
      type: 'seriesMaster',
      start: { dateTime: '2026-10-14T09:00:00.0000000', timeZone: zone },
      end: { dateTime: '2026-10-14T09:30:00.0000000', timeZone: zone },
      recurrence: {
        pattern: {
          type: 'weekly',
          interval: 1,
          daysOfWeek: ['wednesday'],
          firstDayOfWeek: 'monday',
        },
        range: {
          type: 'numbered',
          startDate: '2026-10-14',
          numberOfOccurrences: 4,
          recurrenceTimeZone: zone,
        },
      },
      organizer: { emailAddress: { name: 'Ray', address: email } },
      attendees: [attendee('buyer@client.com', 'Bea Buyer')],
    });
    const meetings = async () =>
      activities(await exportOf(orm, ws))
        .filter((a) => a.type.startsWith('MEETING_'))
        .map((a) => `${a.type} ${a.personEmail}`)
        .sort();

    await sync(orm, h, mb);
    let out = await exportOf(orm, ws);
    // Every occurrence is an event in the export; the series is one meeting on the timeline.
    const occurrences = events(out).filter((e) => e.title === 'Weekly pipeline');
    expect(occurrences.map((e) => e.startsAt)).toEqual([
      '2026-10-14T07:00:00.000Z',
      '2026-10-21T07:00:00.000Z',
      '2026-10-28T08:00:00.000Z',
      '2026-11-04T08:00:00.000Z',
    ]);
    expect(await meetings()).toEqual(['MEETING_SCHEDULED buyer@client.com']);

    // The second occurrence moves by an hour, on its own: Outlook makes it an exception.
    cal(h).upsertEvent(email, {
      id: `${weekly.id}_20261021`,
      type: 'exception',
      seriesMasterId: weekly.id,
      originalStart: '2026-10-21T07:00:00.000Z',
      subject: 'Weekly pipeline',
      start: { dateTime: '2026-10-21T10:00:00.0000000', timeZone: zone },
      end: { dateTime: '2026-10-21T10:30:00.0000000', timeZone: zone },
      organizer: { emailAddress: { name: 'Ray', address: email } },
      attendees: [attendee('buyer@client.com', 'Bea Buyer')],
    });
    await sync(orm, h, mb);
    expect(await meetings()).toEqual([
      'MEETING_SCHEDULED buyer@client.com',
      'MEETING_UPDATED buyer@client.com',
    ]);

    // The third is deleted on its own (@removed for that occurrence).
    expect(cal(h).deleteEvent(email, `${weekly.id}_20261028`)).toBe(true);
    await sync(orm, h, mb);
    expect((await meetings()).filter((m) => m.startsWith('MEETING_CANCELLED'))).toEqual([
      'MEETING_CANCELLED buyer@client.com',
    ]);

    // The whole series is deleted: one cancellation for the series.
    cal(h).deleteEvent(email, weekly.id);
    await sync(orm, h, mb);
    out = await exportOf(orm, ws);
    expect(
      events(out)
        .filter((e) => e.title === 'Weekly pipeline')
        .map((e) => e.status),
    ).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(await meetings()).toEqual([
      'MEETING_CANCELLED buyer@client.com',
      'MEETING_CANCELLED buyer@client.com',
      'MEETING_SCHEDULED buyer@client.com',
      'MEETING_UPDATED buyer@client.com',
    ]);
    const again = await sync(orm, h, mb);
    expect(again.calendar).toMatchObject({ activitiesCreated: 0 });
  });

  it('starts a new round when the window moves, keeping events that fall out of it', async ({
    orm,
    graph: h,
  }) => {
    const email = 'max@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    seedCalendar(h, email);
    const em = orm.em.fork();
    const mailbox = await em.findOneOrFail(MailboxSchema, { id: mb });
    const providers = createProviderFactories(
      h.config,
      new SecretBox(h.config.encryptionKey ?? ''),
      em,
    );
    const target = await loadIngestTarget(em, ws, mb);
    const run = (now: string, pastDays: number) =>
      runCalendarSync({
        em,
        source: providers.calendar(mailbox),
        target,
        log: silentLog,
        window: { pastDays, futureDays: 30 },
        now: () => new Date(now),
      });

    // 1 April with 30 days back: only the March review is in the window.
    const first = await run('2026-04-01T12:00:00Z', 30);
    expect(first).toMatchObject({ fullSyncs: 1, eventsStored: 1 });
    const same = await run('2026-04-01T18:00:00Z', 30);
    expect(same).toMatchObject({ fullSyncs: 0 });
    // A month later the window holds the trade fair and no longer the review.
    const moved = await run('2026-05-01T12:00:00Z', 30);
    expect(moved).toMatchObject({ fullSyncs: 1, eventsStored: 1, eventsCancelled: 0 });
    const out = await exportOf(orm, ws);
    expect(events(out).map((e) => [e.title, e.status])).toEqual([
      ['Contract review', 'confirmed'],
      ['Trade fair', 'confirmed'],
    ]);
  });
});
