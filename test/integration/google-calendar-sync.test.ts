import { describe, expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import {
  connectGmailMailbox,
  silentLog,
  startGmailHarness,
  type GmailHarness,
} from '../helpers/gmail-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { activities, exportOf, people, companies } from '../helpers/ingest.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

/**
 * Google Calendar sync end to end: the real @googleapis/calendar client against the emulator,
 * through BullMQ (`runSyncNow` runs mail and calendar jobs), into PostgreSQL, read back with the
 * export. Covers singleEvents instances across a DST change, all-day events, people and
 * companies from attendees, meeting activities, cancellations and an expired sync token.
 */

interface EventView {
  providerEventId: string;
  iCalUid: string | null;
  title: string;
  startsAt: string | null;
  endsAt: string | null;
  allDay: boolean;
  startDate: string | null;
  endDate: string | null;
  status: string;
  organizer: string | null;
  recurringEventId: string | null;
  attendees: { email: string; responseStatus: string; role: string; personEmail: string | null }[];
}

const events = (e: { events: unknown[] }) => e.events as EventView[];
const sync = (orm: Orm, h: GmailHarness, mb: string) => runSyncNow(h.config, orm, silentLog, mb);
const cal = (h: GmailHarness) => h.emulator.calendars;

async function setup(orm: Orm, h: GmailHarness, email: string) {
  const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
  const mb = await connectGmailMailbox(orm, h, ws, email);
  return { ws, mb };
}

function seedCalendar(h: GmailHarness, email: string) {
  const demo = cal(h).upsertEvent(email, 'primary', {
    summary: 'Demo call',
    start: { dateTime: '2026-11-10T15:00:00+01:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2026-11-10T15:30:00+01:00', timeZone: 'Europe/Berlin' },
    organizer: { email, displayName: 'Dana' },
    attendees: [
      { email, responseStatus: 'accepted', organizer: true },
      { email: 'buyer@client.com', displayName: 'Bea Buyer', responseStatus: 'accepted' },
      { email: 'Jane.Smith@Client.co.uk', displayName: 'Smith, Jane', responseStatus: 'tentative' },
      { email: 'li@northwind.com', responseStatus: 'needsAction' },
      { email: 'room-1@resource.calendar.google.com', resource: true, responseStatus: 'accepted' },
    ],
  });
  const offsite = cal(h).upsertEvent(email, 'primary', {
    summary: 'Offsite',
    start: { date: '2026-12-01' },
    end: { date: '2026-12-03' },
    organizer: { email: 'ceo@partner.io', displayName: 'Pat Partner' },
    attendees: [{ email, responseStatus: 'accepted' }, { email: 'ceo@partner.io' }],
  });
  // Weekly at 09:00 Berlin time across the end of summer time (25 October 2026).
  const weekly = cal(h).upsertEvent(email, 'primary', {
    summary: 'Weekly sync',
    start: { dateTime: '2026-10-14T09:00:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2026-10-14T09:30:00', timeZone: 'Europe/Berlin' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
    organizer: { email: 'am@vendor.com', displayName: 'Alex Manager' },
    attendees: [{ email, responseStatus: 'accepted' }, { email: 'am@vendor.com' }],
  });
  const robot = cal(h).upsertEvent(email, 'primary', {
    summary: 'Webinar',
    start: { dateTime: '2026-11-20T17:00:00Z' },
    end: { dateTime: '2026-11-20T18:00:00Z' },
    organizer: { email: 'noreply@webinars.example.com' },
    attendees: [{ email, responseStatus: 'needsAction' }],
  });
  return { demo, offsite, weekly, robot };
}

describe('Google Calendar sync through BullMQ and the real Calendar client', () => {
  it('stores every occurrence with UTC instants, all-day dates, people, companies and activities', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'dana@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const seeded = seedCalendar(h, email);

    const first = await sync(orm, h, mb);
    expect(first.calendar).toMatchObject({ calendars: 1, fullSyncs: 1, eventsStored: 7 });

    const out = await exportOf(orm, ws);
    const list = events(out);
    expect(list).toHaveLength(7);
    const demo = list.find((e) => e.title === 'Demo call');
    expect(demo).toMatchObject({
      startsAt: '2026-11-10T14:00:00.000Z',
      endsAt: '2026-11-10T14:30:00.000Z',
      allDay: false,
      status: 'confirmed',
      organizer: email,
    });
    expect(demo?.attendees.map((a) => [a.email, a.responseStatus, a.personEmail])).toEqual([
      ['dana@northwind.com', 'accepted', null],
      ['buyer@client.com', 'accepted', 'buyer@client.com'],
      ['jane.smith@client.co.uk', 'tentative', 'jane.smith@client.co.uk'],
      ['li@northwind.com', 'needsAction', null],
      ['room-1@resource.calendar.google.com', 'accepted', null],
    ]);
    expect(list.find((e) => e.title === 'Offsite')).toMatchObject({
      allDay: true,
      startDate: '2026-12-01',
      endDate: '2026-12-03',
      startsAt: '2026-12-01T00:00:00.000Z',
    });
    const weekly = list.filter((e) => e.title === 'Weekly sync');
    expect(weekly.map((e) => e.startsAt)).toEqual([
      '2026-10-14T07:00:00.000Z',
      '2026-10-21T07:00:00.000Z',
      '2026-10-28T08:00:00.000Z',
      '2026-11-04T08:00:00.000Z',
    ]);
    expect(new Set(weekly.map((e) => e.recurringEventId))).toEqual(new Set([seeded.weekly.id]));
    expect(new Set(weekly.map((e) => e.iCalUid)).size).toBe(1);

    expect(people(out).map((p) => [p.email, p.firstName, p.lastName, p.companyDomain])).toEqual([
      ['am@vendor.com', 'Alex', 'Manager', 'vendor.com'],
      ['buyer@client.com', 'Bea', 'Buyer', 'client.com'],
      ['ceo@partner.io', 'Pat', 'Partner', 'partner.io'],
      ['jane.smith@client.co.uk', 'Jane', 'Smith', 'client.co.uk'],
    ]);
    expect(companies(out).map((c) => c.domain)).toEqual([
      'client.co.uk',
      'client.com',
      'partner.io',
      'vendor.com',
    ]);
    const meetings = activities(out).filter((a) => a.type.startsWith('MEETING_'));
    // Demo: 2 people; offsite: 1; the weekly series is one meeting: 1; the webinar's no-reply
    // organizer: 0.
    expect(meetings).toHaveLength(4);
    expect(meetings.every((a) => a.type === 'MEETING_SCHEDULED')).toBe(true);

    // A second run with nothing new changes nothing.
    const again = await sync(orm, h, mb);
    expect(again.calendar).toMatchObject({ eventsStored: 0, activitiesCreated: 0, fullSyncs: 0 });
    expect(await exportOf(orm, ws)).toEqual(out);
  });

  it('applies updates, cancellations and deletions incrementally, each activity once', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'sam@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const seeded = seedCalendar(h, email);
    await sync(orm, h, mb);

    // Moved by an hour and a new attendee: updated for those on it, scheduled for the newcomer.
    cal(h).upsertEvent(email, 'primary', {
      ...seeded.demo,
      start: { dateTime: '2026-11-10T16:00:00+01:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-11-10T16:30:00+01:00', timeZone: 'Europe/Berlin' },
      attendees: [
        ...(seeded.demo.attendees ?? []),
        { email: 'cfo@client.com', displayName: 'Carl Finance' },
      ],
    });
    // One occurrence of the series cancelled, and the offsite deleted.
    cal(h).cancelInstance(email, 'primary', seeded.weekly.id ?? '', '2026-10-28T08:00:00.000Z');
    cal(h).deleteEvent(email, 'primary', seeded.offsite.id ?? '');

    const second = await sync(orm, h, mb);
    expect(second.calendar).toMatchObject({ fullSyncs: 0, resyncs: 0 });
    const out = await exportOf(orm, ws);
    const list = events(out);
    expect(list.find((e) => e.title === 'Demo call')?.startsAt).toBe('2026-11-10T15:00:00.000Z');
    expect(list.find((e) => e.title === 'Offsite')?.status).toBe('cancelled');
    expect(
      list.filter((e) => e.title === 'Weekly sync').map((e) => [e.startsAt, e.status]),
    ).toEqual([
      ['2026-10-14T07:00:00.000Z', 'confirmed'],
      ['2026-10-21T07:00:00.000Z', 'confirmed'],
      ['2026-10-28T08:00:00.000Z', 'cancelled'],
      ['2026-11-04T08:00:00.000Z', 'confirmed'],
    ]);
    const kinds = (type: string) =>
      activities(out)
        .filter((a) => a.type === type)
        .map((a) => a.personEmail)
        .sort();
    expect(kinds('MEETING_UPDATED')).toEqual(['buyer@client.com', 'jane.smith@client.co.uk']);
    expect(kinds('MEETING_CANCELLED')).toEqual(['am@vendor.com', 'ceo@partner.io']);
    expect(kinds('MEETING_SCHEDULED')).toContain('cfo@client.com');

    const third = await sync(orm, h, mb);
    expect(third.calendar).toMatchObject({ activitiesCreated: 0 });
    expect(await exportOf(orm, ws)).toEqual(out);
  });

  it('logs a recurring series as one meeting, and an occurrence changed on its own as its own', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'ray@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const weekly = cal(h).upsertEvent(email, 'primary', {
      summary: 'Weekly pipeline',
      start: { dateTime: '2026-10-14T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-10-14T09:30:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      organizer: { email, displayName: 'Ray' },
      attendees: [{ email, responseStatus: 'accepted' }, { email: 'buyer@client.com' }],
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
    expect(occurrences).toHaveLength(4);
    expect(await meetings()).toEqual(['MEETING_SCHEDULED buyer@client.com']);

    // The second occurrence moves by an hour, on its own.
    const second = occurrences[1];
    cal(h).upsertEvent(email, 'primary', {
      id: second?.providerEventId ?? '',
      iCalUID: weekly.iCalUID ?? null,
      recurringEventId: weekly.id ?? null,
      originalStartTime: { dateTime: '2026-10-21T09:00:00+02:00', timeZone: 'Europe/Berlin' },
      summary: 'Weekly pipeline',
      start: { dateTime: '2026-10-21T10:00:00+02:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-10-21T10:30:00+02:00', timeZone: 'Europe/Berlin' },
      organizer: { email, displayName: 'Ray' },
      attendees: weekly.attendees ?? [],
    });
    await sync(orm, h, mb);
    expect(await meetings()).toEqual([
      'MEETING_SCHEDULED buyer@client.com',
      'MEETING_UPDATED buyer@client.com',
    ]);

    // The third is cancelled on its own.
    cal(h).cancelInstance(email, 'primary', weekly.id ?? '', '2026-10-28T08:00:00.000Z');
    await sync(orm, h, mb);
    expect((await meetings()).filter((m) => m.startsWith('MEETING_CANCELLED'))).toEqual([
      'MEETING_CANCELLED buyer@client.com',
    ]);

    // The whole series is deleted: one cancellation for the series.
    cal(h).deleteEvent(email, 'primary', weekly.id ?? '');
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

  it('logs a series moved as a whole as one update, not as cancelled occurrences', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'ivy@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const weekly = cal(h).upsertEvent(email, 'primary', {
      summary: 'Weekly pipeline',
      start: { dateTime: '2026-10-14T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-10-14T09:30:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      organizer: { email, displayName: 'Ivy' },
      attendees: [{ email, responseStatus: 'accepted' }, { email: 'buyer@client.com' }],
    });
    await sync(orm, h, mb);
    // An hour later, every week: Google gives every instance a new id and cancels the old ones.
    cal(h).upsertEvent(email, 'primary', {
      ...weekly,
      start: { dateTime: '2026-10-14T10:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-10-14T10:30:00', timeZone: 'Europe/Berlin' },
    });
    await sync(orm, h, mb);
    const out = await exportOf(orm, ws);
    expect(
      events(out)
        .filter((e) => e.status === 'confirmed')
        .map((e) => e.startsAt),
    ).toEqual([
      '2026-10-14T08:00:00.000Z',
      '2026-10-21T08:00:00.000Z',
      '2026-10-28T09:00:00.000Z',
      '2026-11-04T09:00:00.000Z',
    ]);
    expect(
      activities(out)
        .filter((a) => a.type.startsWith('MEETING_'))
        .map((a) => `${a.type} ${a.personEmail}`)
        .sort(),
    ).toEqual(['MEETING_SCHEDULED buyer@client.com', 'MEETING_UPDATED buyer@client.com']);
  });

  it('answers an expired sync token with a full resync that duplicates nothing', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'kim@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const seeded = seedCalendar(h, email);
    await sync(orm, h, mb);
    const before = await exportOf(orm, ws);

    // While our token is dead, one event is deleted: only the full listing can tell us.
    cal(h).expireSyncTokens(email, 'primary');
    cal(h).deleteEvent(email, 'primary', seeded.robot.id ?? '');

    const resync = await sync(orm, h, mb);
    expect(resync.calendar).toMatchObject({ resyncs: 1, fullSyncs: 1, eventsStored: 0 });
    const after = await exportOf(orm, ws);
    expect(events(after)).toHaveLength(events(before).length);
    expect(events(after).find((e) => e.title === 'Webinar')?.status).toBe('cancelled');
    expect(after.people).toEqual(before.people);
    // The webinar had no linked person, so nothing is cancelled on anyone's timeline.
    expect(after.activities).toEqual(before.activities);

    const status = await sync(orm, h, mb);
    expect(status.calendar).toMatchObject({ resyncs: 0, fullSyncs: 0 });
  });

  it('reports a calendar the user did not grant, and keeps syncing mail', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'lee@northwind.com';
    const { mb } = await setup(orm, h, email);
    seedCalendar(h, email);
    h.emulator.store.addMessage(
      email,
      buildEml({ from: 'Bea <buyer@client.com>', to: [email], messageId: '<hello@client.com>' }),
    );
    // Google's granular consent lets a user decline the calendar scope: Calendar answers 403.
    const fired = injectFaults(h.emulator.faults, {
      path: '^/calendar/v3/',
      status: 403,
      reason: 'insufficientPermissions',
      count: 20,
    });
    const first = await sync(orm, h, mb);
    h.emulator.faults.clear();
    // A missing grant is permanent: one 403 ends the calendar's round, no retries.
    expect(fired()).toBe(1);
    expect(first.status).toBe('active');
    expect(first.counters.emailsStored).toBe(1);
    expect(first.calendar).toMatchObject({
      calendars: 0,
      unavailable: [
        { calendarId: 'primary', reason: expect.stringMatching(/not granted/) as unknown },
      ],
    });
    const status = (await mailboxStatus(orm.em.fork(), mb)) as {
      status: string;
      calendars: { calendarId: string; lastError: string | null; events: number }[];
    };
    expect(status.status).toBe('active');
    expect(status.calendars).toMatchObject([{ calendarId: 'primary', events: 0 }]);
    expect(status.calendars[0]?.lastError).toMatch(/not granted/);

    // Granted later: the next run syncs it and clears the error.
    const second = await sync(orm, h, mb);
    expect(second.calendar).toMatchObject({ calendars: 1, eventsStored: 7, unavailable: [] });
    const after = (await mailboxStatus(orm.em.fork(), mb)) as {
      calendars: { lastError: string | null; events: number; stage: string }[];
    };
    expect(after.calendars).toMatchObject([{ lastError: null, events: 7, stage: 'incremental' }]);
  });

  it('syncs the configured calendars, each with its own cursor', async ({ orm }) => {
    const team = 'sales-team@group.calendar.google.com';
    const h2 = await startGmailHarness({}, { MAILROOM_GOOGLE_CALENDARS: `primary,${team}` });
    try {
      const email = 'ola@northwind.com';
      const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
      const mb = await connectGmailMailbox(orm, h2, ws, email);
      const shared = {
        id: 'pipelinereview',
        summary: 'Pipeline review',
        start: { dateTime: '2026-11-02T09:00:00Z' },
        end: { dateTime: '2026-11-02T10:00:00Z' },
        organizer: { email: team, displayName: 'Sales team' },
        attendees: [{ email, responseStatus: 'accepted' }, { email: 'partner@reseller.net' }],
      };
      // The same event in the user's calendar and in the team calendar: one row per calendar,
      // one meeting for the CRM.
      h2.emulator.calendars.upsertEvent(email, 'primary', shared);
      h2.emulator.calendars.upsertEvent(email, team, shared);
      h2.emulator.calendars.upsertEvent(email, team, {
        id: 'teamoffsite',
        summary: 'Team offsite',
        start: { date: '2026-12-10' },
        end: { date: '2026-12-11' },
        organizer: { email: team },
      });
      const result = await runSyncNow(h2.config, orm, silentLog, mb);
      expect(result.calendar).toMatchObject({ calendars: 2, eventsStored: 3, unavailable: [] });
      const out = await exportOf(orm, ws);
      expect(
        (out.events as { calendarId: string; title: string }[]).map((e) => [e.calendarId, e.title]),
      ).toEqual([
        ['primary', 'Pipeline review'],
        [team, 'Pipeline review'],
        [team, 'Team offsite'],
      ]);
      // The group calendar as organizer is not a person; the partner is, once.
      expect(people(out).map((p) => p.email)).toEqual(['partner@reseller.net']);
      expect(activities(out).map((a) => [a.type, a.personEmail])).toEqual([
        ['MEETING_SCHEDULED', 'partner@reseller.net'],
      ]);
      const status = (await mailboxStatus(orm.em.fork(), mb)) as {
        calendars: { calendarId: string; stage: string; events: number }[];
      };
      expect(status.calendars).toEqual([
        expect.objectContaining({ calendarId: 'primary', stage: 'incremental', events: 1 }),
        expect.objectContaining({ calendarId: team, stage: 'incremental', events: 2 }),
      ]);
    } finally {
      await h2.close();
    }
  });
});
