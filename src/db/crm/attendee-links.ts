import { z } from 'zod';
import { activityKey } from '../../crm/activity-keys.ts';
import type { MeetingActivity } from '../../crm/meeting-activities.ts';
import { jsonb, queryRows, run, type Db } from '../sql.ts';
import { recordMeetingActivities } from './meeting-activities.ts';

/** Links the attendees of the given events to the people who own their addresses. */
export async function linkAttendeesOfEvents(
  tx: Db,
  workspaceId: string,
  eventIds: readonly string[],
): Promise<void> {
  await run(
    tx,
    `update calendar_event_attendee at
        set person_id = pe.person_id, company_id = p.company_id
       from person_email pe join person p on p.id = pe.person_id
      where at.workspace_id = ? and pe.workspace_id = at.workspace_id and pe.email = at.email
        and at.linkable and at.person_id is null
        and at.event_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
    [workspaceId, jsonb(eventIds)],
  );
}

const NewlyLinkedRow = z.object({
  event_id: z.string(),
  person_id: z.string(),
  company_id: z.string().nullable(),
  mailbox_id: z.string(),
  series_key: z.string(),
  ical_uid: z.string().nullable(),
  starts_at: z.coerce.date().nullable(),
  status: z.string(),
});

/**
 * Links meeting attendees anywhere in the workspace whose address belongs to a person created just
 * now (by mail or by another meeting), and puts their live meetings on the new timeline: one
 * MEETING_SCHEDULED each, with the same key a sync would have used, so nothing doubles later.
 * Returns how many activities were created.
 */
export async function linkMeetingAttendees(
  tx: Db,
  workspaceId: string,
  newPeople: readonly string[],
): Promise<number> {
  if (newPeople.length === 0) {
    return 0;
  }
  const rows = await queryRows(
    tx,
    NewlyLinkedRow,
    `with linked as (
       update calendar_event_attendee at
          set person_id = pe.person_id, company_id = p.company_id
         from person_email pe join person p on p.id = pe.person_id
        where at.workspace_id = ? and pe.workspace_id = at.workspace_id and pe.email = at.email
          and at.linkable and at.person_id is null
          and at.email in (select jsonb_array_elements_text(?::jsonb))
        returning at.event_id, at.person_id, at.company_id
     )
     select l.event_id, l.person_id, l.company_id, ev.mailbox_id, ev.series_key, ev.ical_uid,
            ev.starts_at, ev.status
       from linked l join calendar_event ev on ev.id = l.event_id
      order by ev.starts_at nulls last, ev.id, l.person_id`,
    [workspaceId, jsonb(newPeople)],
  );
  const live = rows.filter((r) => r.status !== 'cancelled');
  let created = 0;
  // Grouped by mailbox only because the event names the mailbox that saw the meeting.
  for (const mailboxId of new Set(live.map((r) => r.mailbox_id))) {
    const activities: MeetingActivity[] = live
      .filter((r) => r.mailbox_id === mailboxId)
      .map((r) => ({
        type: 'MEETING_SCHEDULED',
        personId: r.person_id,
        companyId: r.company_id,
        eventId: r.event_id,
        icalUid: r.ical_uid,
        occurredAt: r.starts_at ?? new Date(),
        key: activityKey('MEETING_SCHEDULED', r.person_id, r.series_key),
      }));
    created += await recordMeetingActivities(tx, workspaceId, mailboxId, activities);
  }
  return created;
}
