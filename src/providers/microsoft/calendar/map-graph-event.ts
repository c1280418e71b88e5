import type { Event as GraphEvent } from '@microsoft/microsoft-graph-types';
import { normalizeAddress } from '../../../addresses/address.ts';
import { localToUtc } from '../../../calendar/resolve-time-zone.ts';
import type {
  CalendarAttendee,
  CalendarChange,
  CalendarPerson,
  CalendarResponse,
} from '../../calendar-source.ts';

/**
 * Graph event JSON from calendarView/delta (provider-apis.md §D.3) → CalendarChange. Pure.
 * `start`/`end` are wall-clock `dateTime`s without offset plus a `timeZone` that may be IANA or
 * Windows ("Pacific Standard Time"); they become UTC instants across DST. All-day events keep
 * their dates (end exclusive). `@removed` is a removal; `isCancelled` a cancelled event that is
 * still listed.
 */
export type GraphDeltaItem = GraphEvent & { '@removed'?: { reason?: string } };

const RESPONSES: Record<string, CalendarResponse> = {
  none: 'needsAction',
  notResponded: 'needsAction',
  organizer: 'accepted',
  accepted: 'accepted',
  tentativelyAccepted: 'tentative',
  declined: 'declined',
};

function person(
  recipient:
    { emailAddress?: { name?: string | null; address?: string | null } | null } | null | undefined,
): CalendarPerson | null {
  const address = recipient?.emailAddress?.address;
  const email = address ? normalizeAddress(address) : null;
  return email ? { email, name: (recipient?.emailAddress?.name ?? '').trim() } : null;
}

function attendee(a: NonNullable<GraphEvent['attendees']>[number]): CalendarAttendee | null {
  const base = person(a);
  if (!base) {
    return null;
  }
  return {
    ...base,
    responseStatus: RESPONSES[a.status?.response ?? 'none'] ?? 'needsAction',
    optional: a.type === 'optional',
    resource: a.type === 'resource',
  };
}

interface Moment {
  instant: Date | null;
  date: string | null;
  zone: string | null;
}

function moment(
  time: { dateTime?: string | null; timeZone?: string | null } | null | undefined,
  allDay: boolean,
): Moment {
  const value = time?.dateTime;
  if (!value) {
    return { instant: null, date: null, zone: null };
  }
  if (allDay) {
    const date = value.slice(0, 10);
    return { instant: new Date(`${date}T00:00:00Z`), date, zone: null };
  }
  if (/(?:Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    return { instant: new Date(value), date: null, zone: null };
  }
  const { instant, zone } = localToUtc(value, time.timeZone ?? 'UTC');
  return { instant, date: null, zone };
}

const KINDS: Partial<Record<string, 'single' | 'instance'>> = {
  singleInstance: 'single',
  occurrence: 'instance',
  exception: 'instance',
};

export function mapGraphEvent(item: GraphDeltaItem): CalendarChange | null {
  if (!item.id) {
    return null;
  }
  if (item['@removed']) {
    return { type: 'removed', providerEventId: item.id };
  }
  const allDay = item.isAllDay === true;
  const start = moment(item.start, allDay);
  const end = moment(item.end, allDay);
  const type = item.type ?? 'singleInstance';
  const kind = type === 'seriesMaster' ? 'master' : (KINDS[type] ?? 'single');
  const original = item.originalStart ? new Date(item.originalStart) : null;
  return {
    type: 'upsert',
    event: {
      providerEventId: item.id,
      icalUid: item.iCalUId ?? null,
      kind,
      seriesId: item.seriesMasterId ?? null,
      originalStart: original && !Number.isNaN(original.getTime()) ? original : null,
      status: item.isCancelled ? 'cancelled' : 'confirmed',
      title: item.subject ?? '',
      description: item.bodyPreview ?? '',
      location: item.location?.displayName ?? '',
      allDay,
      startsAt: start.instant,
      endsAt: end.instant,
      startDate: start.date,
      endDate: end.date,
      timeZone: start.zone,
      organizer: person(item.organizer),
      attendees: (item.attendees ?? []).flatMap((a) => attendee(a) ?? []),
      conferenceUrl: item.onlineMeeting?.joinUrl ?? item.onlineMeetingUrl ?? null,
      recurrence: [],
      providerUpdatedAt: item.lastModifiedDateTime ? new Date(item.lastModifiedDateTime) : null,
    },
  };
}
