import { describe, expect, it } from 'vitest';
import type { CalendarChange, CalendarEventData } from '../../src/providers/calendar-source.ts';
import { mapGoogleEvent } from '../../src/providers/google/calendar/map-google-event.ts';
import { mapGraphEvent } from '../../src/providers/microsoft/calendar/map-graph-event.ts';

const upserted = (change: CalendarChange | null): CalendarEventData => {
  if (change?.type !== 'upsert') {
    throw new Error(`expected an upsert, got ${JSON.stringify(change)}`);
  }
  return change.event;
};
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('mapGoogleEvent', () => {
  it('takes RFC 3339 offsets as they are and keeps people, status and conference link', () => {
    const e = upserted(
      mapGoogleEvent(
        {
          id: 'e1',
          status: 'tentative',
          iCalUID: 'e1@google.com',
          summary: 'Demo call',
          start: { dateTime: '2026-01-10T15:00:00+01:00', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-01-10T15:30:00+01:00', timeZone: 'Europe/Berlin' },
          organizer: { email: 'Rep@Acme.com', displayName: 'Rep', self: true },
          attendees: [
            { email: 'buyer@client.com', displayName: 'Buyer', responseStatus: 'accepted' },
            { email: 'room@resource.calendar.google.com', resource: true },
            { email: 'x@client.com', responseStatus: 'weird', optional: true },
          ],
          conferenceData: {
            entryPoints: [{ entryPointType: 'video', uri: 'https://meet.google.com/abc' }],
          },
          updated: '2026-01-03T11:22:33.444Z',
        },
        'UTC',
      ),
    );
    expect(iso(e.startsAt)).toBe('2026-01-10T14:00:00.000Z');
    expect(iso(e.endsAt)).toBe('2026-01-10T14:30:00.000Z');
    expect(e).toMatchObject({
      kind: 'single',
      status: 'tentative',
      allDay: false,
      timeZone: 'Europe/Berlin',
      organizer: { email: 'rep@acme.com', name: 'Rep' },
      conferenceUrl: 'https://meet.google.com/abc',
    });
    expect(e.attendees).toEqual([
      {
        email: 'buyer@client.com',
        name: 'Buyer',
        responseStatus: 'accepted',
        optional: false,
        resource: false,
      },
      {
        email: 'room@resource.calendar.google.com',
        name: '',
        responseStatus: 'needsAction',
        optional: false,
        resource: true,
      },
      {
        email: 'x@client.com',
        name: '',
        responseStatus: 'needsAction',
        optional: true,
        resource: false,
      },
    ]);
  });

  it('reads a dateTime without offset as wall time in its zone, across the DST change', () => {
    const before = upserted(
      mapGoogleEvent(
        {
          id: 'i1',
          recurringEventId: 'series',
          originalStartTime: { dateTime: '2026-10-24T09:00:00', timeZone: 'Europe/Berlin' },
          start: { dateTime: '2026-10-24T09:00:00', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-10-24T09:30:00', timeZone: 'Europe/Berlin' },
        },
        null,
      ),
    );
    const after = upserted(
      mapGoogleEvent(
        {
          id: 'i2',
          start: { dateTime: '2026-10-26T09:00:00' },
          end: { dateTime: '2026-10-26T09:30:00' },
        },
        'Europe/Berlin',
      ),
    );
    expect(iso(before.startsAt)).toBe('2026-10-24T07:00:00.000Z');
    expect(before).toMatchObject({ kind: 'instance', seriesId: 'series' });
    expect(iso(before.originalStart)).toBe('2026-10-24T07:00:00.000Z');
    expect(iso(after.startsAt)).toBe('2026-10-26T08:00:00.000Z');
  });

  it('keeps all-day events as dates with an exclusive end', () => {
    const e = upserted(
      mapGoogleEvent(
        { id: 'a', start: { date: '2026-12-24' }, end: { date: '2026-12-27' } },
        'UTC',
      ),
    );
    expect(e).toMatchObject({ allDay: true, startDate: '2026-12-24', endDate: '2026-12-27' });
    expect(iso(e.startsAt)).toBe('2026-12-24T00:00:00.000Z');
    expect(iso(e.endsAt)).toBe('2026-12-27T00:00:00.000Z');
  });

  it('treats a cancelled item without times as a removal, and one with times as cancelled', () => {
    expect(mapGoogleEvent({ id: 'gone', status: 'cancelled' }, 'UTC')).toEqual({
      type: 'removed',
      providerEventId: 'gone',
    });
    expect(
      mapGoogleEvent(
        {
          id: 'inst',
          status: 'cancelled',
          recurringEventId: 'm',
          originalStartTime: { dateTime: '2026-01-10T10:00:00Z' },
        },
        'UTC',
      ),
    ).toEqual({ type: 'removed', providerEventId: 'inst' });
    const kept = upserted(
      mapGoogleEvent(
        {
          id: 'c',
          status: 'cancelled',
          start: { dateTime: '2026-01-10T10:00:00Z' },
          end: { dateTime: '2026-01-10T11:00:00Z' },
        },
        'UTC',
      ),
    );
    expect(kept.status).toBe('cancelled');
  });

  it('marks a series master by its recurrence', () => {
    const e = upserted(
      mapGoogleEvent(
        {
          id: 'm',
          recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
          start: { dateTime: '2026-01-05T09:00:00', timeZone: 'America/New_York' },
          end: { dateTime: '2026-01-05T10:00:00', timeZone: 'America/New_York' },
        },
        'UTC',
      ),
    );
    expect(e.kind).toBe('master');
    expect(iso(e.startsAt)).toBe('2026-01-05T14:00:00.000Z');
  });
});

describe('mapGraphEvent', () => {
  const base = {
    id: 'g1',
    iCalUId: '040000008200E00074C5B7101A82E008000000001',
    subject: 'Review',
    isAllDay: false,
    isCancelled: false,
    type: 'singleInstance' as const,
    organizer: { emailAddress: { name: 'Buyer', address: 'Buyer@Client.com' } },
    attendees: [
      {
        type: 'required' as const,
        status: { response: 'tentativelyAccepted' as const },
        emailAddress: { name: 'Li', address: 'li@northwind.com' },
      },
      {
        type: 'resource' as const,
        status: { response: 'accepted' as const },
        emailAddress: { name: 'Room 1', address: 'room1@client.com' },
      },
    ],
  };

  it.each([
    // Windows zone names, and the US DST change (8 March 2026): PST is UTC-8, PDT UTC-7.
    ['2026-03-07T09:00:00.0000000', 'Pacific Standard Time', '2026-03-07T17:00:00.000Z'],
    ['2026-03-09T09:00:00.0000000', 'Pacific Standard Time', '2026-03-09T16:00:00.000Z'],
    // The EU change (25 October 2026): CEST UTC+2 before, CET UTC+1 after.
    ['2026-10-24T09:00:00.0000000', 'W. Europe Standard Time', '2026-10-24T07:00:00.000Z'],
    ['2026-10-26T09:00:00.0000000', 'W. Europe Standard Time', '2026-10-26T08:00:00.000Z'],
    ['2026-10-26T09:00:00.0000000', 'Europe/Berlin', '2026-10-26T08:00:00.000Z'],
    ['2026-01-10T14:00:00.0000000', 'UTC', '2026-01-10T14:00:00.000Z'],
    ['2026-07-01T09:00:00.0000000', 'India Standard Time', '2026-07-01T03:30:00.000Z'],
  ])('%s in %s is %s', (dateTime, timeZone, utc) => {
    const e = upserted(
      mapGraphEvent({ ...base, start: { dateTime, timeZone }, end: { dateTime, timeZone } }),
    );
    expect(iso(e.startsAt)).toBe(utc);
  });

  it('maps people, responses and kinds', () => {
    const e = upserted(
      mapGraphEvent({
        ...base,
        type: 'occurrence',
        seriesMasterId: 'master',
        originalStart: '2026-01-10T14:00:00Z',
        start: { dateTime: '2026-01-10T14:00:00.0000000', timeZone: 'UTC' },
        end: { dateTime: '2026-01-10T14:30:00.0000000', timeZone: 'UTC' },
      }),
    );
    expect(e).toMatchObject({
      kind: 'instance',
      seriesId: 'master',
      organizer: { email: 'buyer@client.com', name: 'Buyer' },
      attendees: [
        { email: 'li@northwind.com', responseStatus: 'tentative', resource: false },
        { email: 'room1@client.com', responseStatus: 'accepted', resource: true },
      ],
    });
    expect(iso(e.originalStart)).toBe('2026-01-10T14:00:00.000Z');
  });

  it('keeps all-day dates, cancellations and removals', () => {
    const allDay = upserted(
      mapGraphEvent({
        ...base,
        isAllDay: true,
        start: { dateTime: '2026-05-01T00:00:00.0000000', timeZone: 'Pacific Standard Time' },
        end: { dateTime: '2026-05-02T00:00:00.0000000', timeZone: 'Pacific Standard Time' },
      }),
    );
    expect(allDay).toMatchObject({ allDay: true, startDate: '2026-05-01', endDate: '2026-05-02' });
    expect(iso(allDay.startsAt)).toBe('2026-05-01T00:00:00.000Z');
    const cancelled = upserted(
      mapGraphEvent({
        ...base,
        isCancelled: true,
        start: { dateTime: '2026-05-01T10:00:00.0000000', timeZone: 'UTC' },
        end: { dateTime: '2026-05-01T11:00:00.0000000', timeZone: 'UTC' },
      }),
    );
    expect(cancelled.status).toBe('cancelled');
    expect(mapGraphEvent({ id: 'x', '@removed': { reason: 'deleted' } })).toEqual({
      type: 'removed',
      providerEventId: 'x',
    });
  });
});
