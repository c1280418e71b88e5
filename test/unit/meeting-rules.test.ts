import { describe, expect, it } from 'vitest';
import { meetingActivities, type MeetingState } from '../../src/crm/meeting-activities.ts';
import { classifyEventPeople } from '../../src/crm/classify-event.ts';
import {
  DEFAULT_ENRICHMENT_SETTINGS,
  type EnrichmentSettings,
} from '../../src/crm/enrichment-settings.ts';
import { buildMailboxContext } from '../../src/crm/mailbox-context.ts';
import type { CalendarEventData } from '../../src/providers/calendar-source.ts';

const event = (over: Partial<CalendarEventData>): CalendarEventData => ({
  providerEventId: 'e1',
  icalUid: 'uid-1',
  kind: 'single',
  seriesId: null,
  originalStart: null,
  status: 'confirmed',
  title: 'Demo',
  description: '',
  location: '',
  allDay: false,
  startsAt: new Date('2026-01-10T14:00:00Z'),
  endsAt: new Date('2026-01-10T15:00:00Z'),
  startDate: null,
  endDate: null,
  timeZone: null,
  organizer: null,
  attendees: [],
  conferenceUrl: null,
  recurrence: [],
  providerUpdatedAt: null,
  ...over,
});

const attendee = (email: string, name = '', extra: { resource?: boolean } = {}) => ({
  email,
  name,
  responseStatus: 'needsAction' as const,
  optional: false,
  resource: extra.resource ?? false,
});

const ctx = (settings: Partial<EnrichmentSettings> = {}) =>
  buildMailboxContext({
    mailboxEmail: 'dana@northwind.com',
    aliases: [],
    workspaceInternalDomains: ['northwind.com'],
    blocklist: ['blocked.com'],
    settings: { ...DEFAULT_ENRICHMENT_SETTINGS, ...settings },
  });

describe('classifyEventPeople', () => {
  it('creates external organizers and attendees, never the owner, colleagues, rooms or no-reply', () => {
    const people = classifyEventPeople(
      event({
        organizer: { email: 'buyer@client.co.uk', name: 'Smith, Jane' },
        attendees: [
          attendee('buyer@client.co.uk', 'Jane Smith'),
          attendee('dana@northwind.com'),
          attendee('li@northwind.com'),
          attendee('room@client.co.uk', 'Room', { resource: true }),
          attendee('c_123@resource.calendar.google.com'),
          attendee('noreply@client.co.uk'),
          attendee('x@blocked.com'),
          attendee('friend@gmail.com', 'Friend'),
        ],
      }),
      ctx(),
    );
    expect(people.map((p) => [p.email, p.role, p.create, p.skipReason, p.companyDomain])).toEqual([
      ['buyer@client.co.uk', 'organizer', true, null, 'client.co.uk'],
      ['dana@northwind.com', 'attendee', false, 'owner', null],
      ['li@northwind.com', 'attendee', false, 'internal', null],
      ['room@client.co.uk', 'attendee', false, 'resource', null],
      ['c_123@resource.calendar.google.com', 'attendee', false, 'resource', null],
      ['noreply@client.co.uk', 'attendee', false, 'role_address', null],
      ['x@blocked.com', 'attendee', false, 'blocklisted', null],
      ['friend@gmail.com', 'attendee', true, null, null],
    ]);
    expect(people[0]?.name).toEqual({ firstName: 'Jane', lastName: 'Smith' });
  });

  it('applies the mailbox policy: `sent` creates from meetings the owner organizes only', () => {
    const theirs = event({
      organizer: { email: 'buyer@client.com', name: '' },
      attendees: [attendee('dana@northwind.com')],
    });
    const mine = event({
      organizer: { email: 'dana@northwind.com', name: '' },
      attendees: [attendee('buyer@client.com')],
    });
    const sent = ctx({ autoCreatePolicy: 'sent' });
    expect(classifyEventPeople(theirs, sent)[0]).toMatchObject({
      create: false,
      linkable: true,
      skipReason: 'policy',
    });
    expect(classifyEventPeople(mine, sent)[1]).toMatchObject({ create: true });
    const none = ctx({ autoCreatePolicy: 'none' });
    expect(classifyEventPeople(mine, none)[1]).toMatchObject({ create: false, linkable: true });
  });
});

describe('meetingActivities', () => {
  const a = { personId: 'p-a', companyId: 'c-1' };
  const b = { personId: 'p-b', companyId: null };
  const state = (over: Partial<MeetingState>): MeetingState => ({
    eventId: 'ev',
    seriesKey: 'ical:uid-1',
    changeKey: 'ical:uid-1',
    changeFingerprint: over.fingerprint ?? 'f1',
    cancelKey: 'ical:uid-1',
    icalUid: 'uid-1',
    status: 'confirmed',
    fingerprint: 'f1',
    startsAt: new Date('2026-01-10T14:00:00Z'),
    changedAt: new Date('2026-01-02T00:00:00Z'),
    people: [a, b],
    prior: null,
    ...over,
  });
  const summary = (s: MeetingState) => meetingActivities(s).map((x) => `${x.type} ${x.personId}`);

  it('schedules a new meeting for everyone linked, at its start', () => {
    const out = meetingActivities(state({}));
    expect(out.map((x) => x.type)).toEqual(['MEETING_SCHEDULED', 'MEETING_SCHEDULED']);
    expect(out[0]?.occurredAt.toISOString()).toBe('2026-01-10T14:00:00.000Z');
    expect(out[0]?.key).toBe('MEETING_SCHEDULED:p-a:ical:uid-1');
  });

  it('gives the same keys for the same state again (a resync adds nothing)', () => {
    const first = meetingActivities(state({})).map((x) => x.key);
    const again = meetingActivities(
      state({ prior: { status: 'confirmed', fingerprint: 'f1', people: ['p-a', 'p-b'] } }),
    ).map((x) => x.key);
    expect(again).toEqual(first);
  });

  it('updates those already on it, schedules newcomers and cancels for those taken off', () => {
    const c = { personId: 'p-c', companyId: null };
    expect(
      summary(
        state({
          fingerprint: 'f2',
          people: [a, c],
          prior: { status: 'confirmed', fingerprint: 'f1', people: ['p-a', 'p-b'] },
        }),
      ),
    ).toEqual([
      'MEETING_SCHEDULED p-a',
      'MEETING_SCHEDULED p-c',
      'MEETING_UPDATED p-a',
      'MEETING_CANCELLED p-b',
    ]);
    const updated = meetingActivities(
      state({
        fingerprint: 'f2',
        prior: { status: 'confirmed', fingerprint: 'f1', people: ['p-a', 'p-b'] },
      }),
    ).find((x) => x.type === 'MEETING_UPDATED');
    expect(updated?.key).toBe('MEETING_UPDATED:p-a:ical:uid-1:f2');
  });

  it('cancels for everyone who was on a live meeting, and for nobody on one never seen live', () => {
    expect(
      summary(
        state({
          status: 'cancelled',
          people: [a],
          prior: { status: 'confirmed', fingerprint: 'f1', people: ['p-a', 'p-b'] },
        }),
      ),
    ).toEqual(['MEETING_CANCELLED p-a', 'MEETING_CANCELLED p-b']);
    expect(summary(state({ status: 'cancelled' }))).toEqual([]);
    expect(
      summary(
        state({
          status: 'cancelled',
          prior: { status: 'cancelled', fingerprint: 'f1', people: ['p-a'] },
        }),
      ),
    ).toEqual([]);
  });

  it('names the series for scheduling and the given keys for changes and cancellations', () => {
    const occurrence = {
      seriesKey: 'ical:s',
      changeKey: 'ical:s@2026-01-17T14:00:00.000Z',
      changeFingerprint: 'moved',
      cancelKey: 'ical:s@2026-01-17T14:00:00.000Z',
    };
    const prior = { status: 'confirmed', fingerprint: 'f1', people: ['p-a'] };
    const keys = (s: MeetingState) => meetingActivities(s).map((x) => x.key);
    expect(keys(state({ ...occurrence, people: [a], fingerprint: 'f2', prior }))).toEqual([
      'MEETING_SCHEDULED:p-a:ical:s',
      'MEETING_UPDATED:p-a:ical:s@2026-01-17T14:00:00.000Z:moved',
    ]);
    expect(keys(state({ ...occurrence, people: [a], status: 'cancelled', prior }))).toEqual([
      'MEETING_CANCELLED:p-a:ical:s@2026-01-17T14:00:00.000Z',
    ]);
  });
});
