import { z } from 'zod';
import {
  exportActivitySchema,
  exportCompanySchema,
  exportEmailSchema,
  exportEngagementSchema,
  exportEventSchema,
  exportPersonSchema,
  type ExportActivity,
  type ExportCompany,
  type ExportEmail,
  type ExportEngagement,
  type ExportEvent,
  type ExportPerson,
} from '../../read-models/export.schema.ts';
import { queryRows, type Db } from '../sql.ts';
import { activityJsonb, eventJsonArgs, personJsonArgs } from './crm-json.ts';
import { EMAIL_DOCUMENT_FIELDS, isoMs } from './email-document.ts';

/**
 * The export read model, one query per collection: each row is one JSON document built in SQL
 * (fast on big workspaces) and checked against the export schema. Ordering is deterministic so
 * two exports of the same data are byte-identical.
 */
async function documents<S extends z.ZodType>(
  db: Db,
  schema: S,
  sql: string,
  workspaceId: string,
): Promise<z.infer<S>[]> {
  const rows = await queryRows(db, z.object({ j: z.unknown() }), sql, [workspaceId]);
  return rows.map((r) => schema.parse(r.j));
}

export function exportPeople(db: Db, workspaceId: string): Promise<ExportPerson[]> {
  return documents(
    db,
    exportPersonSchema,
    `select json_build_object(${personJsonArgs('p', 'c')}) as j
    from person p left join company c on c.id = p.company_id
    where p.workspace_id = ? order by p.primary_email`,
    workspaceId,
  );
}

export function exportCompanies(db: Db, workspaceId: string): Promise<ExportCompany[]> {
  return documents(
    db,
    exportCompanySchema,
    `select json_build_object('id', c.id, 'domain', c.domain, 'name', c.name, 'source', c.source) as j
    from company c where c.workspace_id = ? order by c.domain`,
    workspaceId,
  );
}

export function exportEmails(db: Db, workspaceId: string): Promise<ExportEmail[]> {
  return documents(
    db,
    exportEmailSchema,
    `select json_build_object(${EMAIL_DOCUMENT_FIELDS}) as j
    from email e join mailbox m on m.id = e.mailbox_id
    where e.workspace_id = ? order by e.sent_at nulls last, m.email, e.provider_message_id`,
    workspaceId,
  );
}

export function exportActivities(db: Db, workspaceId: string): Promise<ExportActivity[]> {
  return documents(
    db,
    exportActivitySchema,
    `select ${activityJsonb('a', 'p', 'c')} as j
    from activity a join person p on p.id = a.person_id left join company c on c.id = a.company_id
    where a.workspace_id = ? order by a.occurred_at, p.primary_email, a.type, a.idempotency_key`,
    workspaceId,
  );
}

/**
 * A series master is shown only when none of its occurrences is stored (calendar views list
 * occurrences; Google's singleEvents and Graph's calendarView never send masters anyway).
 */
export function exportEvents(db: Db, workspaceId: string): Promise<ExportEvent[]> {
  return documents(
    db,
    exportEventSchema,
    `select json_build_object(${eventJsonArgs('ev', 'm')}) as j
    from calendar_event ev join mailbox m on m.id = ev.mailbox_id
    where ev.workspace_id = ? and not ev.deleted
      and not (ev.kind = 'master' and exists (
        select 1 from calendar_event i
         where i.mailbox_id = ev.mailbox_id and i.calendar_id = ev.calendar_id
           and i.recurring_event_id = ev.provider_event_id))
    -- The same event in two calendars of a mailbox (a shared calendar) shares its provider id:
    -- the calendar breaks the tie, so the export's order is the same on every run.
    order by ev.starts_at nulls last, m.email, ev.provider_event_id, ev.calendar_id`,
    workspaceId,
  );
}

/**
 * Every stored hit on the workspace's tracking tokens, oldest first (`engagement_hit_workspace_idx`);
 * the recipient and attribution are the token's, as the hit was logged for them.
 */
export function exportEngagements(db: Db, workspaceId: string): Promise<ExportEngagement[]> {
  return documents(
    db,
    exportEngagementSchema,
    `select json_build_object('type', h.kind, 'internetMessageId', e.internet_message_id,
       'personEmail', t.recipient, 'url', h.url, 'classification', h.classification,
       'reason', h.reason, 'attribution', t.attribution, 'occurredAt', ${isoMs('h.at')}) as j
    from engagement_hit h
    join tracking_token t on t.token_id = h.token_id
    join email e on e.id = h.email_id
    where h.workspace_id = ? order by h.at, h.id`,
    workspaceId,
  );
}
