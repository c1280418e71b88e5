import { z } from 'zod';
import { calendarRowSchema, type CalendarRow } from '../../read-models/calendar.schema.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';
import { Where } from './api-sql.ts';
import { eventJsonArgs } from './crm-json.ts';

/**
 * The calendar view's read model (GET /api/v1/calendar and the `calendar` command): every meeting
 * occurrence overlapping [from, to) in the scope's workspace, one row per logical meeting (the
 * same meeting synced from two colleagues' calendars is listed once, with each mailbox that holds
 * it). Occurrences are stored one per row (Google singleEvents, Graph calendarView), so a window
 * needs no expansion here; series masters are never listed.
 */
export interface CalendarRangeQuery {
  from: Date;
  to: Date;
  /** Meetings this person attends (linked attendee). */
  personId?: string;
  /** Meetings an attendee linked to the person with this address attends (lower-case). */
  personEmail?: string;
  /** Occurrences held in this mailbox's calendar. */
  mailboxId?: string;
  includeCancelled: boolean;
}

const Row = z.object({ j: calendarRowSchema });

export async function calendarRange(
  scope: WorkspaceScope,
  q: CalendarRangeQuery,
): Promise<CalendarRow[]> {
  const where = new Where()
    .add(`ev.workspace_id = :workspace and not ev.deleted and ev.kind <> 'master'`)
    .add(
      'ev.starts_at < ? and coalesce(ev.ends_at, ev.starts_at) > ?',
      q.to.toISOString(),
      q.from.toISOString(),
    );
  if (!q.includeCancelled) {
    where.add(`ev.status <> 'cancelled'`);
  }
  if (q.mailboxId !== undefined) {
    where.add('ev.mailbox_id = ?', q.mailboxId);
  }
  if (q.personId !== undefined) {
    where.add(
      `exists (select 1 from calendar_event_attendee at
                where at.event_id = ev.id and at.person_id = ?)`,
      q.personId,
    );
  }
  if (q.personEmail !== undefined) {
    where.add(
      `exists (select 1 from calendar_event_attendee at join person_email pe
                 on pe.person_id = at.person_id
                where at.event_id = ev.id and pe.workspace_id = :workspace and pe.email = ?)`,
      q.personEmail,
    );
  }
  const rows = await scope.rows(
    Row,
    `with hits as (
       select ev.id, ev.logical_key, m.email as mailbox_email
         from calendar_event ev join mailbox m on m.id = ev.mailbox_id
        where ${where.sql}
     ), grouped as (
       select logical_key, min(id::text)::uuid as id,
              array_agg(distinct mailbox_email order by mailbox_email) as mailboxes
         from hits group by logical_key
     )
     select json_build_object('id', ev.id, ${eventJsonArgs('ev', 'm', true)},
              'mailboxes', g.mailboxes) as j
       from grouped g join calendar_event ev on ev.id = g.id join mailbox m on m.id = ev.mailbox_id
      order by ev.starts_at, ev.title, ev.id`,
    where.params,
  );
  return rows.map((r) => r.j);
}
