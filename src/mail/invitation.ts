import type { ParsedMail } from 'mailparser';
import { IcsError, parseIcs } from '../calendar/parse-ics.ts';
import type { MessageInvitation } from './normalized-message.ts';

/**
 * The invitation in a message: its first `text/calendar` (or .ics) part, parsed with ical.js via
 * parse-ics.ts. Requests, replies, counters and cancellations all carry the meeting's UID, which is
 * how the email is linked to the synced event. A part that does not parse is not an invitation;
 * it never fails the message.
 */
const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics', 'text/x-vcalendar']);
const MAX_ICS_BYTES = 1024 * 1024;

export function findInvitation(parsed: ParsedMail): MessageInvitation | null {
  for (const part of parsed.attachments) {
    const type = part.contentType.toLowerCase();
    const named = (part.filename ?? '').toLowerCase().endsWith('.ics');
    if ((!CALENDAR_TYPES.has(type) && !named) || part.size > MAX_ICS_BYTES) {
      continue;
    }
    try {
      const calendar = parseIcs(part.content.toString('utf8'));
      const event = calendar.events.find((e) => e.uid);
      if (event?.uid) {
        return {
          method: calendar.method,
          uid: event.uid,
          sequence: event.sequence,
          summary: event.summary,
          status: event.status,
          startsAt: event.startsAt,
        };
      }
    } catch (err) {
      if (!(err instanceof IcsError)) {
        throw err;
      }
    }
  }
  return null;
}
