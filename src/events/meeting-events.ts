import type { MeetingActivity, MeetingActivityType } from '../crm/meeting-activities.ts';
import type { EventOf } from './catalog.ts';

type MeetingEventType = 'meeting.scheduled' | 'meeting.updated' | 'meeting.cancelled';

const EVENT_OF: Record<MeetingActivityType, MeetingEventType> = {
  MEETING_SCHEDULED: 'meeting.scheduled',
  MEETING_UPDATED: 'meeting.updated',
  MEETING_CANCELLED: 'meeting.cancelled',
};

/**
 * The event announcing a meeting activity, one per activity (its key is the occurrence), naming
 * the mailbox whose calendar showed the meeting.
 */
export function meetingEvent(
  workspaceId: string,
  mailboxId: string,
  a: MeetingActivity,
): EventOf<MeetingEventType> {
  return {
    type: EVENT_OF[a.type],
    workspaceId,
    aggregateId: a.eventId,
    occurrence: a.key,
    data: {
      calendarEventId: a.eventId,
      mailboxId,
      personId: a.personId,
      iCalUid: a.icalUid,
      occurredAt: a.occurredAt.toISOString(),
    },
  };
}
