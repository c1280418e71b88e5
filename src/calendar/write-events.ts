import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import { classifyEventPeople, type ClassifiedEventPerson } from '../crm/classify-event.ts';
import { calendarEventId, meetingKey } from '../ingest/ids.ts';
import type { IngestTarget } from '../ingest/load-ingest-target.ts';
import {
  betterName,
  createPeopleAndCompanies,
  creatorOf,
  type PersonCandidate,
} from '../ingest/people-writer.ts';
import { withTransactionRetry } from '../ingest/transaction-retry.ts';
import type { CalendarChange, CalendarEventData } from '../providers/calendar-source.ts';
import { linkEmailParticipants } from '../ingest/email-links.ts';
import { linkMeetingAttendees } from './link-attendees.ts';
import { meetingActivities, type MeetingActivity, type PriorState } from './meeting-activities.ts';
import { insertMeetingActivities } from './meeting-activity-writer.ts';

/**
 * Persists one page of calendar changes of one calendar in one transaction: events (upserted on
 * mailbox + calendar + provider id), their organizer and attendees, people and companies under the
 * mail rules, links, meeting activities and their outbox events. Serialised per workspace with the
 * same advisory lock as mail ingest, so a person seen by mail and by a meeting at once is created
 * once. Re-applying a page changes nothing: activities are keyed on type, person, meeting and (for
 * updates) the new time-and-attendees fingerprint.
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

const json = (value: unknown): string => JSON.stringify(value);

/** Time and attendee list: what makes a change worth a MEETING_UPDATED. */
export function eventFingerprint(event: CalendarEventData): string {
  const people = [event.organizer?.email ?? '', ...event.attendees.map((a) => a.email)]
    .filter(Boolean)
    .sort();
  return createHash('sha1')
    .update(
      json([
        event.startsAt?.toISOString() ?? null,
        event.endsAt?.toISOString() ?? null,
        event.startDate,
        event.endDate,
        [...new Set(people)],
      ]),
    )
    .digest('hex');
}

/** One occurrence of a series is its own meeting: the series' UID plus its original start. */
function logicalKeyOf(event: CalendarEventData, mailboxId: string, calendarId: string): string {
  return meetingKey(
    event.icalUid,
    event.kind === 'instance' ? (event.originalStart ?? event.startsAt) : null,
    mailboxId,
    calendarId,
    event.providerEventId,
  );
}

/** What change detection needs of a stored event: its state and the people linked to it. */
const SELECT_STORED = `
  select ev.id, ev.provider_event_id, ev.status, ev.fingerprint, ev.logical_key, ev.ical_uid,
         (select array_agg(distinct at.person_id) from calendar_event_attendee at
           where at.event_id = ev.id and at.person_id is not null) as person_ids
    from calendar_event ev`;

/** One upserted event with what is derived from it once: its people, row id and keys. */
interface Upsert {
  event: CalendarEventData;
  people: ClassifiedEventPerson[];
  id: string;
  logicalKey: string;
  fingerprint: string;
}

interface StoredRow {
  id: string;
  provider_event_id: string;
  status: string;
  fingerprint: string;
  logical_key: string;
  ical_uid: string | null;
  person_ids: string[] | null;
}

export async function writeCalendarChanges(
  em: EntityManager,
  target: IngestTarget,
  calendarId: string,
  roundId: string | null,
  changes: readonly CalendarChange[],
): Promise<EventWriteCounters> {
  return withTransactionRetry(() =>
    em.fork().transactional((tx) => writeInTransaction(tx, target, calendarId, roundId, changes)),
  );
}

async function writeInTransaction(
  tx: EntityManager,
  target: IngestTarget,
  calendarId: string,
  roundId: string | null,
  changes: readonly CalendarChange[],
): Promise<EventWriteCounters> {
  const { workspaceId, mailboxId } = target;
  const counters = emptyEventCounters();
  await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [workspaceId]);

  // Last change per event wins within a page; sorted for a stable lock order.
  const latest = new Map<string, CalendarChange>();
  for (const change of changes) {
    latest.set(
      change.type === 'upsert' ? change.event.providerEventId : change.providerEventId,
      change,
    );
  }
  const ids = [...latest.keys()].sort();
  if (ids.length === 0) {
    return counters;
  }
  const stored = await tx.execute<StoredRow[]>(
    `${SELECT_STORED}
      where ev.mailbox_id = ? and ev.calendar_id = ?
        and ev.provider_event_id in (select jsonb_array_elements_text(?::jsonb))`,
    [mailboxId, calendarId, json(ids)],
  );
  const before = new Map(stored.map((r) => [r.provider_event_id, r]));
  // A removed series takes its stored occurrences with it, whether or not the provider lists
  // each of them (Google may send only the series' id; Graph's @removed may name the master).
  const removedIds = ids.filter((id) => {
    const change = latest.get(id);
    return (
      change?.type === 'removed' ||
      (change?.event.kind === 'master' && change.event.status === 'cancelled')
    );
  });
  const instancesOfRemoved =
    removedIds.length === 0
      ? []
      : await tx.execute<StoredRow[]>(
          `${SELECT_STORED}
            where ev.mailbox_id = ? and ev.calendar_id = ? and ev.status <> 'cancelled'
              and ev.recurring_event_id in (select jsonb_array_elements_text(?::jsonb))
            order by ev.provider_event_id`,
          [mailboxId, calendarId, json(removedIds)],
        );

  const upserts: Upsert[] = [];
  const removed: StoredRow[] = [];
  for (const id of ids) {
    const change = latest.get(id);
    if (change?.type === 'upsert') {
      upserts.push({
        event: change.event,
        people: classifyEventPeople(change.event, target.context),
        id: calendarEventId(mailboxId, calendarId, id),
        logicalKey: logicalKeyOf(change.event, mailboxId, calendarId),
        fingerprint: eventFingerprint(change.event),
      });
    } else {
      // A removal of something never stored (outside our window, or before our first sync).
      const row = before.get(id);
      if (row && row.status !== 'cancelled') {
        removed.push(row);
      }
    }
  }

  for (const row of instancesOfRemoved) {
    if (!latest.has(row.provider_event_id) && !removed.some((r) => r.id === row.id)) {
      removed.push(row);
    }
  }

  if (upserts.length > 0) {
    await upsertEvents(tx, target, calendarId, roundId, upserts, before, counters);
  }
  if (removed.length > 0) {
    await tx.execute(
      `update calendar_event set status = 'cancelled', updated_at = now()
        where id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
      [json(removed.map((r) => r.id))],
    );
    counters.eventsCancelled += removed.length;
  }

  const linked = await currentPeople(tx, [...upserts.map((u) => u.id)]);
  const activities: MeetingActivity[] = [];
  for (const { event, id, logicalKey, fingerprint } of upserts) {
    const prior = before.get(event.providerEventId);
    activities.push(
      ...meetingActivities({
        eventId: id,
        logicalKey,
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
  for (const row of removed) {
    activities.push(
      ...meetingActivities({
        eventId: row.id,
        logicalKey: row.logical_key,
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
  counters.activitiesCreated += await insertMeetingActivities(
    tx,
    workspaceId,
    mailboxId,
    activities,
  );
  return counters;
}

function priorState(row: StoredRow): PriorState {
  return {
    status: row.status,
    fingerprint: row.fingerprint,
    people: row.person_ids ?? [],
  };
}

async function upsertEvents(
  tx: EntityManager,
  target: IngestTarget,
  calendarId: string,
  roundId: string | null,
  upserts: Upsert[],
  before: Map<string, StoredRow>,
  counters: EventWriteCounters,
): Promise<void> {
  const { workspaceId, mailboxId } = target;
  const rows = upserts.map(({ event: e, id, logicalKey, fingerprint }) => ({
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
  }));
  await tx.execute(
    `insert into calendar_event (id, workspace_id, mailbox_id, calendar_id, provider_event_id,
       ical_uid, recurring_event_id, kind, original_start, logical_key, fingerprint, title,
       description, location, starts_at, ends_at, all_day, start_date, end_date, status, organizer,
       conference_url, time_zone, recurrence, provider_updated_at, seen_in_round)
     select r.id, r.workspace_id, r.mailbox_id, r.calendar_id, r.provider_event_id, r.ical_uid,
       r.recurring_event_id, r.kind, r.original_start, r.logical_key, r.fingerprint, r.title,
       r.description, r.location, r.starts_at, r.ends_at, r.all_day, r.start_date, r.end_date,
       r.status, r.organizer, r.conference_url, r.time_zone, r.recurrence, r.provider_updated_at,
       r.seen_in_round
     from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, mailbox_id uuid,
       calendar_id text, provider_event_id text, ical_uid text, recurring_event_id text, kind text,
       original_start timestamptz, logical_key text, fingerprint text, title text,
       description text, location text, starts_at timestamptz, ends_at timestamptz,
       all_day boolean, start_date date, end_date date, status text, organizer text,
       conference_url text, time_zone text, recurrence text[], provider_updated_at timestamptz,
       seen_in_round text)
     on conflict (mailbox_id, calendar_id, provider_event_id) do update set
       ical_uid = excluded.ical_uid, recurring_event_id = excluded.recurring_event_id,
       kind = excluded.kind, original_start = excluded.original_start,
       logical_key = excluded.logical_key, fingerprint = excluded.fingerprint,
       title = excluded.title, description = excluded.description, location = excluded.location,
       starts_at = excluded.starts_at, ends_at = excluded.ends_at, all_day = excluded.all_day,
       start_date = excluded.start_date, end_date = excluded.end_date, status = excluded.status,
       organizer = excluded.organizer, conference_url = excluded.conference_url,
       time_zone = excluded.time_zone, recurrence = excluded.recurrence,
       provider_updated_at = excluded.provider_updated_at,
       seen_in_round = coalesce(excluded.seen_in_round, calendar_event.seen_in_round),
       deleted = false, updated_at = now()`,
    [json(rows)],
  );
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

  // Attendee lists are replaced whole: the provider's list is the truth.
  await tx.execute(
    `delete from calendar_event_attendee
      where event_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
    [json(upserts.map((u) => u.id))],
  );
  await tx.execute(
    `insert into calendar_event_attendee (event_id, workspace_id, email, display_name, role,
       response_status, optional, linkable, skip_reason)
     select * from jsonb_to_recordset(?::jsonb) as r(event_id uuid, workspace_id uuid, email text,
       display_name text, role text, response_status text, optional boolean, linkable boolean,
       skip_reason text)
     on conflict do nothing`,
    [
      json(
        upserts.flatMap(({ id, people }) =>
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
      ),
    ],
  );

  const creators = new Map<string, PersonCandidate>();
  for (const { event, people } of upserts) {
    if (event.status === 'cancelled') {
      continue;
    }
    const observedAt = (event.providerUpdatedAt ?? event.startsAt)?.toISOString() ?? null;
    for (const p of people) {
      if (!p.create) {
        continue;
      }
      const candidate = creatorOf(
        { address: p.email, name: p.name, companyDomain: p.companyDomain },
        p.role === 'organizer' ? 2 : 1,
        observedAt,
      );
      const known = creators.get(p.email);
      if (!known || betterName(candidate, known)) {
        creators.set(p.email, candidate);
      }
    }
  }
  const newPeople = await createPeopleAndCompanies(
    tx,
    workspaceId,
    [...creators.values()],
    counters,
    'calendar',
  );

  // Links for this page's attendees (their activities follow from the state change), then the
  // earlier meetings and mail of people created just now.
  await tx.execute(
    `update calendar_event_attendee at
        set person_id = pe.person_id, company_id = p.company_id
       from person_email pe join person p on p.id = pe.person_id
      where at.workspace_id = ? and pe.workspace_id = at.workspace_id and pe.email = at.email
        and at.linkable and at.person_id is null
        and at.event_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
    [workspaceId, json(upserts.map((u) => u.id))],
  );
  counters.activitiesCreated += await linkMeetingAttendees(tx, workspaceId, newPeople);
  counters.activitiesCreated += (
    await linkEmailParticipants(tx, workspaceId, [], newPeople)
  ).activitiesCreated;
}

async function currentPeople(
  tx: EntityManager,
  eventIds: string[],
): Promise<Map<string, { personId: string; companyId: string | null }[]>> {
  const rows = await tx.execute<
    { event_id: string; person_id: string; company_id: string | null }[]
  >(
    `select event_id, person_id, company_id from calendar_event_attendee
      where event_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
        and person_id is not null
      order by event_id, email`,
    [json(eventIds)],
  );
  const byEvent = new Map<string, { personId: string; companyId: string | null }[]>();
  for (const r of rows) {
    const list = byEvent.get(r.event_id) ?? [];
    list.push({ personId: r.person_id, companyId: r.company_id });
    byEvent.set(r.event_id, list);
  }
  return byEvent;
}
