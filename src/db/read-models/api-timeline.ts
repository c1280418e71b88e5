import { z } from 'zod';
import { timelineItemSchema, type TimelineItem } from '../../read-models/crm.schema.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';
import { activityJsonb } from './crm-json.ts';
import { isoMs, isoUs } from './email-document.ts';

/**
 * A person's or a company's timeline: their activities newest first (`occurred_at desc, id
 * desc`, keyset, served by `activity_person_idx` / `activity_company_idx`), each with the email or
 * meeting it is about joined in the same statement.
 */
export interface TimelineQuery {
  of: { personId: string } | { companyId: string };
  /** The last row of the previous page: its exact instant (microseconds) and id. */
  after: { at: string; id: string } | null;
  limit: number;
}

export interface TimelineRow {
  item: TimelineItem;
  /** The row's `occurred_at` to the microsecond, for the cursor. */
  at: string;
}

const Row = z.object({ j: timelineItemSchema, at: z.string() });

export async function timeline(scope: WorkspaceScope, q: TimelineQuery): Promise<TimelineRow[]> {
  const [column, id] =
    'personId' in q.of ? ['a.person_id', q.of.personId] : ['a.company_id', q.of.companyId];
  const after = q.after === null ? '' : 'and (a.occurred_at, a.id) < (?::timestamptz, ?::uuid)';
  const rows = await scope.rows(
    Row,
    `select ${activityJsonb('a', 'p', 'c')} || jsonb_build_object(
       'id', a.id,
       'email', case when e.id is null then null else jsonb_build_object(
         'id', e.id, 'subject', e.subject, 'direction', e.direction,
         'sentAt', ${isoMs('e.sent_at')}, 'internetMessageId', e.internet_message_id,
         'mailboxId', e.mailbox_id, 'threadKey', e.thread_key) end,
       'meeting', case when ev.id is null then null else jsonb_build_object(
         'id', ev.id, 'title', ev.title, 'startsAt', ${isoMs('ev.starts_at')},
         'endsAt', ${isoMs('ev.ends_at')}, 'allDay', ev.all_day, 'status', ev.status) end) as j,
       ${isoUs('a.occurred_at')} as at
       from activity a
       join person p on p.id = a.person_id
       left join company c on c.id = a.company_id
       left join email e on e.id = a.email_id and a.type like 'EMAIL%'
       left join calendar_event ev on ev.id = a.calendar_event_id and a.type like 'MEETING%'
      where ${column} = ? and a.workspace_id = :workspace ${after}
      order by a.occurred_at desc, a.id desc
      limit ?`,
    [id, ...(q.after === null ? [] : [q.after.at, q.after.id]), q.limit],
  );
  return rows.map((r) => ({ item: r.j, at: r.at }));
}
