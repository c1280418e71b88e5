import { describe, expect, it } from 'vitest';
import {
  pageActivities,
  pageChanges,
  planCalendarPage,
} from '../../src/ingest/plan-calendar-page.ts';
import { DEFAULT_ENRICHMENT_SETTINGS } from '../../src/crm/enrichment-settings.ts';
import { buildMailboxContext } from '../../src/crm/mailbox-context.ts';
import type { StoredEvent } from '../../src/db/repositories/calendar-event.repository.ts';
import type { CalendarEventData } from '../../src/providers/calendar-source.ts';

const WS = '00000000-0000-4000-8000-000000000001';
const MBX = '00000000-0000-4000-8000-000000000002';
const target = {
  workspaceId: WS,
  mailboxId: MBX,
  mailboxEmail: 'dana@northwind.com',
  context: buildMailboxContext({
    mailboxEmail: 'dana@northwind.com',
    aliases: [],
    workspaceInternalDomains: ['northwind.com'],
    blocklist: [],
    settings: DEFAULT_ENRICHMENT_SETTINGS,
  }),
};

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
  organizer: { email: 'dana@northwind.com', name: 'Dana' },
  attendees: [
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
  providerUpdatedAt: new Date('2026-01-01T00:00:00Z'),
  ...over,
});

const stored = (over: Partial<StoredEvent>): StoredEvent => ({
  id: '00000000-0000-4000-8000-0000000000e1',
  provider_event_id: 'e1',
  status: 'confirmed',
  fingerprint: 'old',
  logical_key: 'ical:uid-1',
  ical_uid: 'uid-1',
  person_ids: ['p1'],
  ...over,
});

describe('planCalendarPage', () => {
  it('keeps the last change per event and lists removed series', () => {
    const page = pageChanges([
      { type: 'upsert', event: event({ providerEventId: 'b', title: 'first' }) },
      { type: 'upsert', event: event({ providerEventId: 'a' }) },
      { type: 'upsert', event: event({ providerEventId: 'b', title: 'second' }) },
      { type: 'removed', providerEventId: 's' },
    ]);
    expect(page.ids).toEqual(['a', 'b', 's']);
    expect(page.removedSeries).toEqual(['s']);
    const latest = page.latest.get('b');
    expect(latest?.type === 'upsert' && latest.event.title).toBe('second');
  });

  it('plans rows, attendees, candidates and counters against what is stored', () => {
    const page = pageChanges([
      { type: 'upsert', event: event({}) },
      { type: 'upsert', event: event({ providerEventId: 'e2', icalUid: 'uid-2' }) },
      { type: 'removed', providerEventId: 'gone' },
    ]);
    const before = new Map([
      ['e1', stored({})],
      ['gone', stored({ id: '00000000-0000-4000-8000-0000000000e9', provider_event_id: 'gone' })],
    ]);
    const plan = planCalendarPage(target, 'primary', 'r1', page, before, []);
    expect(plan.counters).toEqual({ eventsStored: 1, eventsUpdated: 1, eventsCancelled: 1 });
    expect(plan.rows.map((r) => [r.provider_event_id, r.logical_key, r.seen_in_round])).toEqual([
      ['e1', 'ical:uid-1', 'r1'],
      ['e2', 'ical:uid-2', 'r1'],
    ]);
    expect(plan.attendees.map((a) => [a.email, a.role, a.linkable])).toEqual([
      ['dana@northwind.com', 'organizer', false],
      ['buyer@client.com', 'attendee', true],
      ['dana@northwind.com', 'organizer', false],
      ['buyer@client.com', 'attendee', true],
    ]);
    expect(plan.candidates.map((c) => [c.address, c.nameRank, c.observedAt])).toEqual([
      ['buyer@client.com', 1, '2026-01-01T00:00:00.000Z'],
      ['buyer@client.com', 1, '2026-01-01T00:00:00.000Z'],
    ]);
    expect(plan.removed.map((r) => r.provider_event_id)).toEqual(['gone']);

    const activities = pageActivities(
      plan,
      before,
      new Map([[plan.upserts[0]?.id ?? '', [{ personId: 'p1', companyId: null }]]]),
    );
    expect(activities.map((a) => a.key)).toEqual([
      'MEETING_SCHEDULED:p1:ical:uid-1',
      `MEETING_UPDATED:p1:ical:uid-1:${plan.upserts[0]?.fingerprint ?? ''}`,
      'MEETING_CANCELLED:p1:ical:uid-1',
    ]);
  });
});
