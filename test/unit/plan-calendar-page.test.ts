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
import { seriesUid } from '../../src/crm/ids.ts';
import { touchedSeries } from '../../src/ingest/plan-meeting-series.ts';

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
  series_key: 'ical:uid-1',
  recurring_event_id: null,
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

/**
 * A weekly series of four occurrences at 09:00 Berlin time, across the end of summer time, as
 * either provider lists it: one row each.
 */
const WEEKS = [
  '2026-10-14T07:00:00Z',
  '2026-10-21T07:00:00Z',
  '2026-10-28T08:00:00Z',
  '2026-11-04T08:00:00Z',
];
const occurrence = (i: number, over: Partial<CalendarEventData> = {}): CalendarEventData => {
  const start = new Date(WEEKS[i] ?? '');
  return event({
    providerEventId: `s_${String(i)}`,
    kind: 'instance',
    seriesId: 's',
    icalUid: 'series-uid@google.com',
    originalStart: start,
    startsAt: start,
    endsAt: new Date(start.getTime() + 1_800_000),
    timeZone: 'Europe/Berlin',
    ...over,
  });
};
const linkAll = (plan: { upserts: { id: string }[] }) =>
  new Map(plan.upserts.map((u) => [u.id, [{ personId: 'p1', companyId: null }]]));
const storedOf = (plan: ReturnType<typeof planCalendarPage>): Map<string, StoredEvent> =>
  new Map(
    plan.rows.map((r) => [
      r.provider_event_id,
      stored({
        id: r.id,
        provider_event_id: r.provider_event_id,
        fingerprint: r.fingerprint,
        logical_key: r.logical_key,
        series_key: r.series_key,
        recurring_event_id: r.recurring_event_id,
        ical_uid: r.ical_uid,
      }),
    ]),
  );

describe('a recurring series is one meeting', () => {
  const firstSync = () => {
    const page = pageChanges(
      WEEKS.map((_, i) => ({ type: 'upsert' as const, event: occurrence(i) })),
    );
    const plan = planCalendarPage(target, 'primary', null, page, new Map(), []);
    return { plan, before: storedOf(plan) };
  };

  it('schedules once per person for all occurrences, while every occurrence is a row', () => {
    const { plan } = firstSync();
    expect(plan.rows).toHaveLength(4);
    expect(new Set(plan.rows.map((r) => r.logical_key)).size).toBe(4);
    expect(new Set(plan.rows.map((r) => r.series_key))).toEqual(
      new Set(['ical:series-uid@google.com']),
    );
    const keys = new Set(pageActivities(plan, new Map(), linkAll(plan)).map((a) => a.key));
    expect([...keys]).toEqual(['MEETING_SCHEDULED:p1:ical:series-uid@google.com']);
  });

  it('gives Graph occurrences, whose UIDs carry their dates, one series key', () => {
    const goid = (date: string) =>
      `040000008200E00074C5B7101A82E008${date}A1B2C3D4E5F60708000000000000000010000000ABCDEF`;
    expect(seriesUid(goid('07EA0A0E'))).toBe(goid('00000000'));
    expect(seriesUid('other@example.com')).toBe('other@example.com');
    const page = pageChanges([
      { type: 'upsert', event: occurrence(0, { icalUid: goid('07EA0A0E') }) },
      { type: 'upsert', event: occurrence(1, { icalUid: goid('07EA0A15') }) },
    ]);
    const plan = planCalendarPage(target, 'primary', null, page, new Map(), []);
    expect(new Set(plan.rows.map((r) => r.series_key))).toEqual(
      new Set([`ical:${goid('00000000')}`]),
    );
  });

  it('logs a moved occurrence as its own update, and a series-wide change once', () => {
    const { before } = firstSync();
    const moved = occurrence(1, { startsAt: new Date('2026-10-21T09:00:00Z') });
    const page = pageChanges([{ type: 'upsert', event: moved }]);
    const plan = planCalendarPage(target, 'primary', null, page, before, []);
    const updates = pageActivities(plan, before, linkAll(plan)).filter(
      (a) => a.type === 'MEETING_UPDATED',
    );
    expect(updates.map((a) => a.key)).toEqual([
      `MEETING_UPDATED:p1:ical:series-uid@google.com@2026-10-21T07:00:00.000Z:${plan.upserts[0]?.fingerprint ?? ''}`,
    ]);

    // A new attendee on the whole series: every occurrence changes, one update for the series.
    const cfo = { email: 'cfo@client.com', name: 'Carl', responseStatus: 'accepted' as const };
    const wide = pageChanges(
      WEEKS.map((_, i) => {
        const e = occurrence(i);
        return {
          type: 'upsert' as const,
          event: {
            ...e,
            attendees: [...e.attendees, { ...cfo, optional: false, resource: false }],
          },
        };
      }),
    );
    const widePlan = planCalendarPage(target, 'primary', null, wide, before, []);
    const wideUpdates = new Set(
      pageActivities(widePlan, before, linkAll(widePlan))
        .filter((a) => a.type === 'MEETING_UPDATED')
        .map((a) => a.key),
    );
    expect(wideUpdates.size).toBe(1);
  });

  it('cancels one occurrence on its own, and a whole series once', () => {
    const { before } = firstSync();
    const live = [...before.values()];
    const one = pageChanges([{ type: 'removed', providerEventId: 's_2' }]);
    expect(touchedSeries(one, before)).toContain('s');
    const onePlan = planCalendarPage(target, 'primary', null, one, before, live);
    expect(onePlan.cancelledSeries.size).toBe(0);
    expect(pageActivities(onePlan, before, new Map()).map((a) => a.key)).toEqual([
      'MEETING_CANCELLED:p1:ical:series-uid@google.com@2026-10-28T08:00:00.000Z',
    ]);

    // Google sends a deleted series as one tombstone per instance.
    const all = pageChanges(
      WEEKS.map((_, i) => ({ type: 'removed' as const, providerEventId: `s_${String(i)}` })),
    );
    const allPlan = planCalendarPage(target, 'primary', null, all, before, live);
    expect([...allPlan.cancelledSeries]).toEqual(['s']);
    expect(new Set(pageActivities(allPlan, before, new Map()).map((a) => a.key))).toEqual(
      new Set(['MEETING_CANCELLED:p1:ical:series-uid@google.com']),
    );
  });

  it('takes a series moved as a whole (new instance ids, old ones cancelled) as one update', () => {
    const { before } = firstSync();
    const live = [...before.values()];
    const later = (i: number) => {
      const start = new Date(new Date(WEEKS[i] ?? '').getTime() + 3_600_000);
      return occurrence(i, {
        providerEventId: `s_moved_${String(i)}`,
        originalStart: start,
        startsAt: start,
        endsAt: new Date(start.getTime() + 1_800_000),
      });
    };
    const page = pageChanges([
      ...WEEKS.map((_, i) => ({ type: 'removed' as const, providerEventId: `s_${String(i)}` })),
      ...WEEKS.map((_, i) => ({ type: 'upsert' as const, event: later(i) })),
    ]);
    const plan = planCalendarPage(target, 'primary', null, page, before, live);
    expect(plan.cancelledSeries.size).toBe(0);
    expect([...plan.rescheduled.keys()]).toEqual(['s']);
    const keys = new Set(
      pageActivities(plan, before, linkAll(plan)).map((a) => a.key.split(':')[0]),
    );
    expect([...keys].sort()).toEqual(['MEETING_SCHEDULED', 'MEETING_UPDATED']);
    const updates = new Set(
      pageActivities(plan, before, linkAll(plan))
        .filter((a) => a.type === 'MEETING_UPDATED')
        .map((a) => a.key),
    );
    expect(updates.size).toBe(1);
  });
});
