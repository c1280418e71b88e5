import type { EntityManager } from '@mikro-orm/postgresql';
import type { MeetingActivity } from './meeting-activities.ts';
import { insertMeetingActivities } from './meeting-activity-writer.ts';

/**
 * Links meeting attendees anywhere in the workspace whose address belongs to a person created just
 * now (by mail or by another meeting), and puts their live meetings on the new timeline: one
 * MEETING_SCHEDULED each, with the same key a sync would have used, so nothing doubles later.
 */
const json = (value: unknown): string => JSON.stringify(value);

export async function linkMeetingAttendees(
  tx: EntityManager,
  workspaceId: string,
  newPeople: readonly string[],
): Promise<number> {
  if (newPeople.length === 0) {
    return 0;
  }
  const rows = await tx.execute<
    {
      event_id: string;
      person_id: string;
      company_id: string | null;
      mailbox_id: string;
      logical_key: string;
      ical_uid: string | null;
      starts_at: Date | null;
      status: string;
    }[]
  >(
    `with linked as (
       update calendar_event_attendee at
          set person_id = pe.person_id, company_id = p.company_id
         from person_email pe join person p on p.id = pe.person_id
        where at.workspace_id = ? and pe.workspace_id = at.workspace_id and pe.email = at.email
          and at.linkable and at.person_id is null
          and at.email in (select jsonb_array_elements_text(?::jsonb))
        returning at.event_id, at.person_id, at.company_id
     )
     select l.event_id, l.person_id, l.company_id, ev.mailbox_id, ev.logical_key, ev.ical_uid,
            ev.starts_at, ev.status
       from linked l join calendar_event ev on ev.id = l.event_id
      order by ev.starts_at nulls last, ev.id, l.person_id`,
    [workspaceId, json(newPeople)],
  );
  const live = rows.filter((r) => r.status !== 'cancelled');
  let created = 0;
  // Grouped by mailbox only because the outbox payload names the mailbox that saw the meeting.
  for (const mailboxId of new Set(live.map((r) => r.mailbox_id))) {
    const activities: MeetingActivity[] = live
      .filter((r) => r.mailbox_id === mailboxId)
      .map((r) => ({
        type: 'MEETING_SCHEDULED',
        personId: r.person_id,
        companyId: r.company_id,
        eventId: r.event_id,
        icalUid: r.ical_uid,
        occurredAt: r.starts_at ? new Date(r.starts_at) : new Date(),
        key: `MEETING_SCHEDULED:${r.person_id}:${r.logical_key}`,
      }));
    created += await insertMeetingActivities(tx, workspaceId, mailboxId, activities);
  }
  return created;
}
