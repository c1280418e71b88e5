import type { EntityManager } from '@mikro-orm/postgresql';
import type { MeetingActivity } from './meeting-activities.ts';

/**
 * Writes meeting activities (ON CONFLICT on their idempotency key) and, for those actually
 * created, their outbox events (`meeting.scheduled|updated|cancelled`) in the same transaction.
 * Returns how many activities were created.
 */
const json = (value: unknown): string => JSON.stringify(value);

export async function insertMeetingActivities(
  tx: EntityManager,
  workspaceId: string,
  mailboxId: string,
  activities: MeetingActivity[],
): Promise<number> {
  if (activities.length === 0) {
    return 0;
  }
  const created = await tx.execute<{ idempotency_key: string }[]>(
    `insert into activity (id, workspace_id, type, person_id, company_id, calendar_event_id,
       ical_uid, occurred_at, idempotency_key)
     select md5(r.key)::uuid, ?, r.type, r.person_id,
       coalesce(r.company_id, (select p.company_id from person p where p.id = r.person_id)),
       r.event_id, r.ical_uid, r.occurred_at, r.key
       from jsonb_to_recordset(?::jsonb) as r(type text, person_id uuid, company_id uuid,
         event_id uuid, ical_uid text, occurred_at timestamptz, key text)
     on conflict (workspace_id, idempotency_key) do nothing
     returning idempotency_key`,
    [
      workspaceId,
      json(
        activities.map((a) => ({
          type: a.type,
          person_id: a.personId,
          company_id: a.companyId,
          event_id: a.eventId,
          ical_uid: a.icalUid,
          occurred_at: a.occurredAt.toISOString(),
          key: a.key,
        })),
      ),
    ],
  );
  const createdKeys = new Set(created.map((r) => r.idempotency_key));
  const announced = activities.filter((a) => createdKeys.has(a.key));
  if (announced.length > 0) {
    await tx.execute(
      `insert into outbox_event (workspace_id, type, aggregate_type, aggregate_id, payload,
         dedupe_key)
       select ?, r.type, 'calendar_event', r.event_id, r.payload, r.dedupe_key
         from jsonb_to_recordset(?::jsonb) as r(type text, event_id uuid, payload jsonb,
           dedupe_key text)
       on conflict (dedupe_key) do nothing`,
      [
        workspaceId,
        json(
          announced.map((a) => ({
            type: `meeting.${a.type.slice('MEETING_'.length).toLowerCase()}`,
            event_id: a.eventId,
            payload: {
              calendarEventId: a.eventId,
              mailboxId,
              personId: a.personId,
              iCalUid: a.icalUid,
              occurredAt: a.occurredAt.toISOString(),
            },
            dedupe_key: `activity:${workspaceId}:${a.key}`,
          })),
        ),
      ],
    );
  }
  return created.length;
}
