import { firstPerKey, type MeetingActivity } from '../../crm/meeting-activities.ts';
import { meetingEvent } from '../../events/meeting-events.ts';
import { appendEvents } from '../outbox.ts';
import type { Db } from '../sql.ts';
import { insertActivities } from './activities.ts';

/**
 * Logs meeting activities and, for those created now, their `meeting.*` events in the same
 * transaction. `mailboxId` is the mailbox whose calendar showed the meeting. Several asking for
 * one key (the occurrences of one series) log the earliest. Returns how many were created.
 */
export async function recordMeetingActivities(
  tx: Db,
  workspaceId: string,
  mailboxId: string,
  asked: readonly MeetingActivity[],
): Promise<number> {
  const activities = firstPerKey(asked);
  const created = await insertActivities(
    tx,
    workspaceId,
    activities.map((a) => ({
      type: a.type,
      personId: a.personId,
      companyId: a.companyId,
      emailId: null,
      calendarEventId: a.eventId,
      internetMessageId: null,
      icalUid: a.icalUid,
      occurredAt: a.occurredAt.toISOString(),
      key: a.key,
      companyFromPerson: true,
    })),
  );
  await appendEvents(
    tx,
    activities
      .filter((a) => created.has(a.key))
      .map((a) => meetingEvent(workspaceId, mailboxId, a)),
  );
  return created.size;
}
