import { z } from 'zod';
import type { ActivityType } from '../../crm/activity-keys.ts';
import { activityId } from '../../crm/ids.ts';
import { jsonb, queryRows, type Db } from '../sql.ts';

/** One activity to log; `key` is its idempotency key (crm/activity-keys.ts). */
export interface ActivityInput {
  type: ActivityType;
  personId: string;
  /** Null for a meeting activity: the person's current company is used. */
  companyId: string | null;
  emailId: string | null;
  calendarEventId: string | null;
  internetMessageId: string | null;
  icalUid: string | null;
  occurredAt: string;
  key: string;
  /** Whether a null `companyId` means "the person's company" (meetings) or none (mail). */
  companyFromPerson: boolean;
  /** EMAIL_REPLIED / EMAIL_BOUNCED: our outbound message it answers or reports on. */
  related?: ActivityRelation;
}

export interface ActivityRelation {
  emailId: string;
  internetMessageId: string;
  replySeconds: number | null;
  bounceRecipient: string | null;
  bounceStatus: string | null;
}

const CreatedRow = z.object({ idempotency_key: z.string() });

/**
 * Inserts activities (ON CONFLICT on the workspace's idempotency key) and returns the keys of
 * those created now: only they may be announced.
 */
export async function insertActivities(
  tx: Db,
  workspaceId: string,
  activities: readonly ActivityInput[],
): Promise<Set<string>> {
  if (activities.length === 0) {
    return new Set();
  }
  const rows = await queryRows(
    tx,
    CreatedRow,
    `insert into activity (id, workspace_id, type, person_id, company_id, email_id,
       calendar_event_id, internet_message_id, ical_uid, occurred_at, idempotency_key,
       related_email_id, related_internet_message_id, reply_seconds, bounce_recipient,
       bounce_status)
     select r.id, ?, r.type, r.person_id,
       case when r.company_from_person
         then coalesce(r.company_id, (select p.company_id from person p where p.id = r.person_id))
         else r.company_id end,
       r.email_id, r.calendar_event_id, r.internet_message_id, r.ical_uid, r.occurred_at, r.key,
       r.related_email_id, r.related_internet_message_id, r.reply_seconds, r.bounce_recipient,
       r.bounce_status
       from jsonb_to_recordset(?::jsonb) as r(id uuid, type text, person_id uuid, company_id uuid,
         company_from_person boolean, email_id uuid, calendar_event_id uuid,
         internet_message_id text, ical_uid text, occurred_at timestamptz, key text,
         related_email_id uuid, related_internet_message_id text, reply_seconds integer,
         bounce_recipient text, bounce_status text)
     on conflict (workspace_id, idempotency_key) do nothing
     returning idempotency_key`,
    [
      workspaceId,
      jsonb(
        activities.map((a) => ({
          id: activityId(workspaceId, a.key),
          type: a.type,
          person_id: a.personId,
          company_id: a.companyId,
          company_from_person: a.companyFromPerson,
          email_id: a.emailId,
          calendar_event_id: a.calendarEventId,
          internet_message_id: a.internetMessageId,
          ical_uid: a.icalUid,
          occurred_at: a.occurredAt,
          key: a.key,
          related_email_id: a.related?.emailId ?? null,
          related_internet_message_id: a.related?.internetMessageId ?? null,
          reply_seconds: a.related?.replySeconds ?? null,
          bounce_recipient: a.related?.bounceRecipient ?? null,
          bounce_status: a.related?.bounceStatus ?? null,
        })),
      ),
    ],
  );
  return new Set(rows.map((r) => r.idempotency_key));
}
