import { createHash } from 'node:crypto';
import { classifyEventPeople, type ClassifiedEventPerson } from '../crm/classify-event.ts';
import { calendarEventId, meetingKey, meetingSeriesKey } from '../crm/ids.ts';
import type { MailboxTarget } from '../crm/mailbox-target.ts';
import {
  meetingActivities,
  type LinkedPerson,
  type MeetingActivity,
  type PriorState,
} from '../crm/meeting-activities.ts';
import { creatorOf, type PersonCandidate } from '../crm/person-candidates.ts';
import type {
  AttendeeRow,
  CalendarEventRow,
  StoredEvent,
} from '../db/repositories/calendar-event.repository.ts';
import type { CalendarChange, CalendarEventData } from '../providers/calendar-source.ts';
import {
  cancelledSeries,
  changedOnItsOwn,
  rescheduledSeries,
  seriesFingerprint,
} from './plan-meeting-series.ts';

/**
 * What one page of calendar changes asks the store to write, as pure functions of the page and of
 * what is stored: which events to upsert or cancel, their attendees, who they create, what the
 * counters say, and (once links are known) which meeting activities follow.
 */
export interface EventWriteCounters {
  eventsStored: number;
  eventsUpdated: number;
  eventsCancelled: number;
  peopleCreated: number;
  companiesCreated: number;
  activitiesCreated: number;
}

export function emptyEventCounters(): EventWriteCounters {
  return {
    eventsStored: 0,
    eventsUpdated: 0,
    eventsCancelled: 0,
    peopleCreated: 0,
    companiesCreated: 0,
    activitiesCreated: 0,
  };
}

/** Time and attendee list: what makes a change worth a MEETING_UPDATED. */
export function eventFingerprint(event: CalendarEventData): string {
  const people = [event.organizer?.email ?? '', ...event.attendees.map((a) => a.email)]
    .filter(Boolean)
    .sort();
  return createHash('sha1')
    .update(
      JSON.stringify([
        event.startsAt?.toISOString() ?? null,
        event.endsAt?.toISOString() ?? null,
        event.startDate,
        event.endDate,
        [...new Set(people)],
      ]),
    )
    .digest('hex');
}

/**
 * One occurrence of a series is its own calendar entry (views list every occurrence, one per
 * logical meeting across mailboxes): the series' UID plus its original start. Activities take
 * the series as the meeting (`meetingSeriesKey`).
 */
function logicalKeyOf(event: CalendarEventData, mailboxId: string, calendarId: string): string {
  return meetingKey(
    event.icalUid,
    event.kind === 'instance' ? (event.originalStart ?? event.startsAt) : null,
    mailboxId,
    calendarId,
    event.providerEventId,
  );
}

/** The last change per provider event of a page, and the ids in a stable (lock) order. */
export interface PageChanges {
  latest: Map<string, CalendarChange>;
  ids: string[];
  /**
   * Removed or cancelled series: they take their stored occurrences with them, whether or not
   * the provider lists each of them (Google may send only the series' id; Graph's @removed may
   * name the master).
   */
  removedSeries: string[];
}

export function pageChanges(changes: readonly CalendarChange[]): PageChanges {
  const latest = new Map<string, CalendarChange>();
  for (const change of changes) {
    latest.set(
      change.type === 'upsert' ? change.event.providerEventId : change.providerEventId,
      change,
    );
  }
  const ids = [...latest.keys()].sort();
  const removedSeries = ids.filter((id) => {
    const change = latest.get(id);
    return (
      change?.type === 'removed' ||
      (change?.event.kind === 'master' && change.event.status === 'cancelled')
    );
  });
  return { latest, ids, removedSeries };
}

/** One upserted event with what is derived from it once: its people, row id and keys. */
export interface Upsert {
  event: CalendarEventData;
  people: ClassifiedEventPerson[];
  id: string;
  logicalKey: string;
  /** The meeting it schedules people for: its series when it is an occurrence. */
  seriesKey: string;
  fingerprint: string;
  /** What an update is logged under: the occurrence when it changed on its own, else the series. */
  changeKey: string;
  changeFingerprint: string;
}

function upsertOf(target: MailboxTarget, calendarId: string, event: CalendarEventData): Upsert {
  const { mailboxId } = target;
  const logicalKey = logicalKeyOf(event, mailboxId, calendarId);
  const seriesKey = meetingSeriesKey(event, logicalKey, mailboxId, calendarId);
  const fingerprint = eventFingerprint(event);
  const ownChange = event.kind !== 'instance' || changedOnItsOwn(event);
  return {
    event,
    people: classifyEventPeople(event, target.context),
    id: calendarEventId(mailboxId, calendarId, event.providerEventId),
    logicalKey,
    seriesKey,
    fingerprint,
    changeKey: ownChange ? logicalKey : seriesKey,
    changeFingerprint: ownChange ? fingerprint : seriesFingerprint(event),
  };
}

export interface CalendarPagePlan {
  upserts: Upsert[];
  /** Stored events to mark cancelled: removed ones and the live occurrences of removed series. */
  removed: StoredEvent[];
  /** Series cancelled as a whole by this page: one cancellation per person, not per occurrence. */
  cancelledSeries: ReadonlySet<string>;
  /** Series moved as a whole by this page, with the stored state their new instances inherit. */
  rescheduled: ReadonlyMap<string, StoredEvent>;
  rows: CalendarEventRow[];
  attendees: AttendeeRow[];
  /** Who the live events create or name (the page keeps the best per address). */
  candidates: PersonCandidate[];
  counters: Pick<EventWriteCounters, 'eventsStored' | 'eventsUpdated' | 'eventsCancelled'>;
}

export function planCalendarPage(
  target: MailboxTarget,
  calendarId: string,
  roundId: string | null,
  page: PageChanges,
  before: ReadonlyMap<string, StoredEvent>,
  seriesInstances: readonly StoredEvent[],
): CalendarPagePlan {
  const { workspaceId, mailboxId } = target;
  const upserts: Upsert[] = [];
  const removed: StoredEvent[] = [];
  const instancesOfRemoved = seriesInstances.filter(
    (r) => r.recurring_event_id !== null && page.removedSeries.includes(r.recurring_event_id),
  );
  for (const id of page.ids) {
    const change = page.latest.get(id);
    if (change?.type === 'upsert') {
      upserts.push(upsertOf(target, calendarId, change.event));
    } else {
      // A removal of something never stored (outside our window, or before our first sync).
      const row = before.get(id);
      if (row && row.status !== 'cancelled') {
        removed.push(row);
      }
    }
  }
  for (const row of instancesOfRemoved) {
    if (!page.latest.has(row.provider_event_id) && !removed.some((r) => r.id === row.id)) {
      removed.push(row);
    }
  }

  const counters = { eventsStored: 0, eventsUpdated: 0, eventsCancelled: 0 };
  for (const { event, fingerprint } of upserts) {
    const prior = before.get(event.providerEventId);
    if (!prior) {
      counters.eventsStored++;
    } else if (event.status === 'cancelled' && prior.status !== 'cancelled') {
      counters.eventsCancelled++;
    } else if (prior.fingerprint !== fingerprint || prior.status !== event.status) {
      counters.eventsUpdated++;
    }
  }
  counters.eventsCancelled += removed.length;

  return {
    upserts,
    removed,
    cancelledSeries: cancelledSeries(page, seriesInstances),
    rescheduled: rescheduledSeries(page, before, seriesInstances),
    rows: upserts.map((u) => eventRow(workspaceId, mailboxId, calendarId, roundId, u)),
    attendees: upserts.flatMap(({ id, people }) =>
      people.map((p) => ({
        event_id: id,
        workspace_id: workspaceId,
        email: p.email,
        display_name: p.displayName,
        role: p.role,
        response_status: p.responseStatus,
        optional: p.optional,
        linkable: p.linkable,
        skip_reason: p.skipReason,
      })),
    ),
    candidates: upserts.flatMap(({ event, people }) => {
      if (event.status === 'cancelled') {
        return [];
      }
      const observedAt = (event.providerUpdatedAt ?? event.startsAt)?.toISOString() ?? null;
      return people
        .filter((p) => p.create)
        .map((p) =>
          creatorOf(
            { address: p.email, name: p.name, companyDomain: p.companyDomain },
            p.role === 'organizer' ? 2 : 1,
            observedAt,
          ),
        );
    }),
    counters,
  };
}

function eventRow(
  workspaceId: string,
  mailboxId: string,
  calendarId: string,
  roundId: string | null,
  { event: e, id, logicalKey, seriesKey, fingerprint }: Upsert,
): CalendarEventRow {
  return {
    id,
    workspace_id: workspaceId,
    mailbox_id: mailboxId,
    calendar_id: calendarId,
    provider_event_id: e.providerEventId,
    ical_uid: e.icalUid,
    recurring_event_id: e.seriesId,
    kind: e.kind,
    original_start: e.originalStart?.toISOString() ?? null,
    logical_key: logicalKey,
    series_key: seriesKey,
    fingerprint,
    title: e.title,
    description: e.description,
    location: e.location,
    starts_at: e.startsAt?.toISOString() ?? null,
    ends_at: e.endsAt?.toISOString() ?? null,
    all_day: e.allDay,
    start_date: e.startDate,
    end_date: e.endDate,
    status: e.status,
    organizer: e.organizer?.email ?? null,
    conference_url: e.conferenceUrl,
    time_zone: e.timeZone,
    recurrence: e.recurrence,
    provider_updated_at: e.providerUpdatedAt?.toISOString() ?? null,
    seen_in_round: roundId,
  };
}

function priorState(row: StoredEvent): PriorState {
  return { status: row.status, fingerprint: row.fingerprint, people: row.person_ids ?? [] };
}

/**
 * The meeting activities of a written page: for each upserted event from its new state, its
 * linked people and its stored state before; for each removed one, a cancellation. A series the
 * page cancels as a whole is cancelled once per person; anything else per occurrence. A series
 * rescheduled as a whole is one update: its old instances are retired silently.
 */
export function pageActivities(
  plan: Pick<CalendarPagePlan, 'upserts' | 'removed' | 'cancelledSeries' | 'rescheduled'>,
  before: ReadonlyMap<string, StoredEvent>,
  linked: ReadonlyMap<string, LinkedPerson[]>,
): MeetingActivity[] {
  const wholeSeries = (seriesId: string | null) =>
    seriesId !== null && plan.cancelledSeries.has(seriesId);
  const retired = (seriesId: string | null) => seriesId !== null && plan.rescheduled.has(seriesId);
  const activities: MeetingActivity[] = [];
  for (const u of plan.upserts) {
    const { event, id, logicalKey, seriesKey, fingerprint } = u;
    if (event.status === 'cancelled' && retired(event.seriesId)) {
      continue;
    }
    const prior =
      before.get(event.providerEventId) ??
      (event.seriesId === null ? undefined : plan.rescheduled.get(event.seriesId));
    activities.push(
      ...meetingActivities({
        eventId: id,
        seriesKey,
        changeKey: u.changeKey,
        changeFingerprint: u.changeFingerprint,
        cancelKey: wholeSeries(event.seriesId) ? seriesKey : logicalKey,
        icalUid: event.icalUid,
        status: event.status,
        fingerprint,
        startsAt: event.startsAt,
        changedAt: event.providerUpdatedAt,
        people: linked.get(id) ?? [],
        prior: prior ? priorState(prior) : null,
      }),
    );
  }
  for (const row of plan.removed) {
    if (retired(row.recurring_event_id)) {
      continue;
    }
    activities.push(
      ...meetingActivities({
        eventId: row.id,
        seriesKey: row.series_key,
        changeKey: row.logical_key,
        changeFingerprint: row.fingerprint,
        cancelKey: wholeSeries(row.recurring_event_id) ? row.series_key : row.logical_key,
        icalUid: row.ical_uid,
        status: 'cancelled',
        fingerprint: row.fingerprint,
        startsAt: null,
        changedAt: null,
        people: [],
        prior: priorState(row),
      }),
    );
  }
  return activities;
}
