import type { calendar_v3 } from '@googleapis/calendar';
import { normalizeAddress } from '../../../addresses/address.ts';
import { localToUtc, resolveTimeZone } from '../../../calendar/resolve-time-zone.ts';
import type {
  CalendarAttendee,
  CalendarChange,
  CalendarEventStatus,
  CalendarPerson,
  CalendarResponse,
} from '../../calendar-source.ts';

/**
 * Google Calendar Event JSON (provider-apis.md §B.3) → CalendarChange. Pure. Timed events carry an
 * RFC 3339 offset (taken as is); a `dateTime` without one is wall time in its `timeZone` or the
 * calendar's. All-day events keep their dates (end exclusive) and get midnight-UTC instants.
 * A cancelled item without times (a deleted event, or a cancelled instance: Google guarantees only
 * ids) is a removal; with times it is kept as a cancelled event.
 */
const RESPONSES = new Set<CalendarResponse>(['needsAction', 'accepted', 'declined', 'tentative']);

interface Moment {
  instant: Date | null;
  date: string | null;
  zone: string | null;
}

function moment(
  time: calendar_v3.Schema$EventDateTime | undefined,
  calendarZone: string | null,
): Moment {
  if (time?.date) {
    return { instant: new Date(`${time.date}T00:00:00Z`), date: time.date, zone: null };
  }
  const value = time?.dateTime;
  if (!value) {
    return { instant: null, date: null, zone: null };
  }
  const zone = resolveTimeZone(time.timeZone) ?? calendarZone;
  if (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    const instant = new Date(value);
    return { instant: Number.isNaN(instant.getTime()) ? null : instant, date: null, zone };
  }
  return { instant: localToUtc(value, zone).instant, date: null, zone };
}

function person(
  p: { email?: string | null; displayName?: string | null } | null | undefined,
): CalendarPerson | null {
  const email = p?.email ? normalizeAddress(p.email) : null;
  return email ? { email, name: (p?.displayName ?? '').trim() } : null;
}

function attendee(a: calendar_v3.Schema$EventAttendee): CalendarAttendee | null {
  const base = person(a);
  if (!base) {
    return null;
  }
  const status = a.responseStatus as CalendarResponse | undefined;
  return {
    ...base,
    responseStatus: status && RESPONSES.has(status) ? status : 'needsAction',
    optional: a.optional === true,
    resource: a.resource === true,
  };
}

function conferenceUrl(e: calendar_v3.Schema$Event): string | null {
  const video = e.conferenceData?.entryPoints?.find((p) => p.entryPointType === 'video');
  return video?.uri ?? e.hangoutLink ?? null;
}

export function mapGoogleEvent(
  e: calendar_v3.Schema$Event,
  calendarTimeZone: string | null,
): CalendarChange | null {
  if (!e.id) {
    return null;
  }
  const calendarZone = resolveTimeZone(calendarTimeZone);
  const start = moment(e.start, calendarZone);
  const end = moment(e.end, calendarZone);
  const status: CalendarEventStatus =
    e.status === 'cancelled' ? 'cancelled' : e.status === 'tentative' ? 'tentative' : 'confirmed';
  if (status === 'cancelled' && !start.instant) {
    return { type: 'removed', providerEventId: e.id };
  }
  const original = e.recurringEventId ? moment(e.originalStartTime, calendarZone) : null;
  const recurrence = e.recurrence ?? [];
  return {
    type: 'upsert',
    event: {
      providerEventId: e.id,
      icalUid: e.iCalUID ?? null,
      kind: e.recurringEventId ? 'instance' : recurrence.length > 0 ? 'master' : 'single',
      seriesId: e.recurringEventId ?? null,
      originalStart: original?.instant ?? null,
      status,
      title: e.summary ?? '',
      description: e.description ?? '',
      location: e.location ?? '',
      allDay: start.date !== null,
      startsAt: start.instant,
      endsAt: end.instant,
      startDate: start.date,
      endDate: end.date,
      timeZone: start.zone,
      organizer: person(e.organizer),
      attendees: (e.attendees ?? []).flatMap((a) => attendee(a) ?? []),
      conferenceUrl: conferenceUrl(e),
      recurrence,
      providerUpdatedAt: e.updated ? new Date(e.updated) : null,
    },
  };
}
