import { z } from 'zod';
import { jsonb, queryRows, run, type Db } from '../sql.ts';

/** Calendar events and their attendees as calendar sync stores them. */
export interface CalendarEventRow {
  id: string;
  workspace_id: string;
  mailbox_id: string;
  calendar_id: string;
  provider_event_id: string;
  ical_uid: string | null;
  recurring_event_id: string | null;
  kind: string;
  original_start: string | null;
  logical_key: string;
  /** The meeting activities schedule once: the series for an occurrence (crm/ids.ts). */
  series_key: string;
  fingerprint: string;
  title: string;
  description: string;
  location: string;
  starts_at: string | null;
  ends_at: string | null;
  all_day: boolean;
  start_date: string | null;
  end_date: string | null;
  status: string;
  organizer: string | null;
  conference_url: string | null;
  time_zone: string | null;
  recurrence: string[];
  provider_updated_at: string | null;
  seen_in_round: string | null;
}

export interface AttendeeRow {
  event_id: string;
  workspace_id: string;
  email: string;
  display_name: string;
  role: string;
  response_status: string;
  optional: boolean;
  linkable: boolean;
  skip_reason: string | null;
}

/** What change detection needs of a stored event: its state and the people linked to it. */
export const StoredEvent = z.object({
  id: z.string(),
  provider_event_id: z.string(),
  status: z.string(),
  fingerprint: z.string(),
  logical_key: z.string(),
  series_key: z.string(),
  recurring_event_id: z.string().nullable(),
  ical_uid: z.string().nullable(),
  person_ids: z.array(z.string()).nullable(),
});
export type StoredEvent = z.infer<typeof StoredEvent>;

const SELECT_STORED = `
  select ev.id, ev.provider_event_id, ev.status, ev.fingerprint, ev.logical_key, ev.series_key,
         ev.recurring_event_id, ev.ical_uid,
         (select array_agg(distinct at.person_id) from calendar_event_attendee at
           where at.event_id = ev.id and at.person_id is not null) as person_ids
    from calendar_event ev`;

/** The stored copies of the given provider events of one calendar. */
export function loadStoredEvents(
  tx: Db,
  mailboxId: string,
  calendarId: string,
  providerEventIds: readonly string[],
): Promise<StoredEvent[]> {
  return queryRows(
    tx,
    StoredEvent,
    `${SELECT_STORED}
      where ev.mailbox_id = ? and ev.calendar_id = ?
        and ev.provider_event_id in (select jsonb_array_elements_text(?::jsonb))`,
    [mailboxId, calendarId, jsonb(providerEventIds)],
  );
}

/** The stored, not yet cancelled instances of the given series of one calendar. */
export async function loadLiveInstancesOf(
  tx: Db,
  mailboxId: string,
  calendarId: string,
  seriesIds: readonly string[],
): Promise<StoredEvent[]> {
  if (seriesIds.length === 0) {
    return [];
  }
  return queryRows(
    tx,
    StoredEvent,
    `${SELECT_STORED}
      where ev.mailbox_id = ? and ev.calendar_id = ? and ev.status <> 'cancelled'
        and ev.recurring_event_id in (select jsonb_array_elements_text(?::jsonb))
      order by ev.provider_event_id`,
    [mailboxId, calendarId, jsonb(seriesIds)],
  );
}

/** Inserts or updates events on mailbox + calendar + provider id; an upsert revives a deleted one. */
export async function upsertEvents(tx: Db, rows: readonly CalendarEventRow[]): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await run(
    tx,
    `insert into calendar_event (id, workspace_id, mailbox_id, calendar_id, provider_event_id,
       ical_uid, recurring_event_id, kind, original_start, logical_key, series_key, fingerprint,
       title, description, location, starts_at, ends_at, all_day, start_date, end_date, status,
       organizer, conference_url, time_zone, recurrence, provider_updated_at, seen_in_round)
     select r.id, r.workspace_id, r.mailbox_id, r.calendar_id, r.provider_event_id, r.ical_uid,
       r.recurring_event_id, r.kind, r.original_start, r.logical_key, r.series_key,
       r.fingerprint, r.title,
       r.description, r.location, r.starts_at, r.ends_at, r.all_day, r.start_date, r.end_date,
       r.status, r.organizer, r.conference_url, r.time_zone, r.recurrence, r.provider_updated_at,
       r.seen_in_round
     from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, mailbox_id uuid,
       calendar_id text, provider_event_id text, ical_uid text, recurring_event_id text, kind text,
       original_start timestamptz, logical_key text, series_key text, fingerprint text,
       title text,
       description text, location text, starts_at timestamptz, ends_at timestamptz,
       all_day boolean, start_date date, end_date date, status text, organizer text,
       conference_url text, time_zone text, recurrence text[], provider_updated_at timestamptz,
       seen_in_round text)
     on conflict (mailbox_id, calendar_id, provider_event_id) do update set
       ical_uid = excluded.ical_uid, recurring_event_id = excluded.recurring_event_id,
       kind = excluded.kind, original_start = excluded.original_start,
       logical_key = excluded.logical_key, series_key = excluded.series_key,
       fingerprint = excluded.fingerprint,
       title = excluded.title, description = excluded.description, location = excluded.location,
       starts_at = excluded.starts_at, ends_at = excluded.ends_at, all_day = excluded.all_day,
       start_date = excluded.start_date, end_date = excluded.end_date, status = excluded.status,
       organizer = excluded.organizer, conference_url = excluded.conference_url,
       time_zone = excluded.time_zone, recurrence = excluded.recurrence,
       provider_updated_at = excluded.provider_updated_at,
       seen_in_round = coalesce(excluded.seen_in_round, calendar_event.seen_in_round),
       deleted = false, updated_at = now()`,
    [jsonb(rows)],
  );
}

export async function cancelEvents(tx: Db, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) {
    return;
  }
  await run(
    tx,
    `update calendar_event set status = 'cancelled', updated_at = now()
      where id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
    [jsonb(eventIds)],
  );
}

/** Attendee lists are replaced whole: the provider's list is the truth. */
export async function replaceAttendees(
  tx: Db,
  eventIds: readonly string[],
  rows: readonly AttendeeRow[],
): Promise<void> {
  await run(
    tx,
    `delete from calendar_event_attendee
      where event_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
    [jsonb(eventIds)],
  );
  await run(
    tx,
    `insert into calendar_event_attendee (event_id, workspace_id, email, display_name, role,
       response_status, optional, linkable, skip_reason)
     select * from jsonb_to_recordset(?::jsonb) as r(event_id uuid, workspace_id uuid, email text,
       display_name text, role text, response_status text, optional boolean, linkable boolean,
       skip_reason text)
     on conflict do nothing`,
    [jsonb(rows)],
  );
}

const LinkedAttendee = z.object({
  event_id: z.string(),
  person_id: z.string(),
  company_id: z.string().nullable(),
});

/** The people linked to each of the given events, by attendee address. */
export async function linkedPeopleOf(
  tx: Db,
  eventIds: readonly string[],
): Promise<Map<string, { personId: string; companyId: string | null }[]>> {
  const rows = await queryRows(
    tx,
    LinkedAttendee,
    `select event_id, person_id, company_id from calendar_event_attendee
      where event_id in (select jsonb_array_elements_text(?::jsonb)::uuid)
        and person_id is not null
      order by event_id, email`,
    [jsonb(eventIds)],
  );
  const byEvent = new Map<string, { personId: string; companyId: string | null }[]>();
  for (const r of rows) {
    const list = byEvent.get(r.event_id) ?? [];
    list.push({ personId: r.person_id, companyId: r.company_id });
    byEvent.set(r.event_id, list);
  }
  return byEvent;
}

/**
 * Events of a calendar that a full round did not see (`seen_in_round` is another round's), still
 * live, and inside the synced window when there is one: what the calendar no longer lists.
 */
export async function unseenInRound(
  db: Db,
  where: {
    mailboxId: string;
    calendarId: string;
    roundId: string;
    window: { start: Date; end: Date } | null;
  },
): Promise<string[]> {
  const end = where.window?.end.toISOString() ?? null;
  const rows = await queryRows(
    db,
    z.object({ provider_event_id: z.string() }),
    `select provider_event_id from calendar_event
      where mailbox_id = ? and calendar_id = ? and status <> 'cancelled'
        and seen_in_round is distinct from ?
        and (?::timestamptz is null or (starts_at < ?::timestamptz and ends_at > ?::timestamptz))
      order by provider_event_id`,
    [
      where.mailboxId,
      where.calendarId,
      where.roundId,
      end,
      end,
      where.window?.start.toISOString() ?? null,
    ],
  );
  return rows.map((r) => r.provider_event_id);
}
