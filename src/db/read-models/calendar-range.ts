import { z } from 'zod';
import { calendarEventSchema, type CalendarEventView } from '../../read-models/calendar.schema.ts';
import { queryRows, type Db } from '../sql.ts';

/**
 * The calendar view's read model: every meeting occurrence overlapping [from, to) in a workspace,
 * optionally for one person, one row per logical meeting (the same meeting synced from two
 * colleagues' calendars is listed once, with each mailbox that holds it). Occurrences are stored
 * one per row (Google singleEvents, Graph calendarView), so a window needs no expansion here.
 */
export interface CalendarRangeQuery {
  workspaceId: string;
  from: Date;
  to: Date;
  personEmail?: string;
  includeCancelled?: boolean;
}

const iso = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

export async function calendarRange(db: Db, q: CalendarRangeQuery): Promise<CalendarEventView[]> {
  const rows = await queryRows(
    db,
    z.object({ j: calendarEventSchema }),
    `with hits as (
       select ev.*, m.email as mailbox_email
         from calendar_event ev join mailbox m on m.id = ev.mailbox_id
        where ev.workspace_id = ? and not ev.deleted and ev.kind <> 'master'
          and ev.starts_at < ? and coalesce(ev.ends_at, ev.starts_at) > ?
          and (? or ev.status <> 'cancelled')
          and (?::text is null or exists (
                select 1 from calendar_event_attendee at join person_email pe
                  on pe.person_id = at.person_id
                 where at.event_id = ev.id and pe.email = ?::text))
     ), grouped as (
       select logical_key, min(id::text)::uuid as id,
              array_agg(distinct mailbox_email order by mailbox_email) as mailboxes
         from hits group by logical_key
     )
     select json_build_object(
       'iCalUid', ev.ical_uid, 'title', ev.title,
       'startsAt', to_char(ev.starts_at at time zone 'UTC', ${iso}),
       'endsAt', to_char(coalesce(ev.ends_at, ev.starts_at) at time zone 'UTC', ${iso}),
       'allDay', ev.all_day, 'status', ev.status, 'organizer', ev.organizer,
       'mailboxes', g.mailboxes,
       'people', (select coalesce(json_agg(json_build_object(
                    'email', p.primary_email, 'responseStatus', at.response_status,
                    'companyDomain', c.domain) order by p.primary_email), '[]')
                   from calendar_event_attendee at join person p on p.id = at.person_id
                   left join company c on c.id = p.company_id
                  where at.event_id = ev.id)) as j
       from grouped g join calendar_event ev on ev.id = g.id
      order by ev.starts_at, ev.title, ev.id`,
    [
      q.workspaceId,
      q.to.toISOString(),
      q.from.toISOString(),
      q.includeCancelled ?? false,
      q.personEmail ?? null,
      q.personEmail ?? null,
    ],
  );
  return rows.map((r) => r.j);
}
