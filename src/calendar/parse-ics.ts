import ICAL from 'ical.js';
import { normalizeAddress } from '../addresses/address.ts';
import { resolveTimeZone } from './resolve-time-zone.ts';
import { zonedToUtc } from './zoned-time.ts';

/**
 * iCalendar text (a `text/calendar` part of an invitation, or an .ics file) → events with UTC
 * instants, using ical.js (RFC 5545). Invitations carry METHOD (REQUEST, REPLY, CANCEL, COUNTER…);
 * all-day events keep their dates (DTEND exclusive, as in iCalendar). Unparseable input throws
 * IcsError with the reason; nothing here may take a sync down.
 */
export interface IcsAttendee {
  email: string;
  name: string;
  partstat: string;
  role: string;
}

export interface IcsEvent {
  uid: string | null;
  recurrenceId: string | null;
  summary: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  sequence: number;
  allDay: boolean;
  startsAt: string | null;
  endsAt: string | null;
  startDate: string | null;
  endDate: string | null;
  organizer: string | null;
  attendees: IcsAttendee[];
  recurrenceRule: string | null;
}

export interface IcsCalendar {
  method: string | null;
  events: IcsEvent[];
}

export class IcsError extends Error {
  override readonly name = 'IcsError';
}

const mailto = (value: unknown): string | null =>
  typeof value === 'string' ? normalizeAddress(value.replace(/^mailto:/i, '')) : null;

/** An ICAL.Time as a UTC ISO instant, resolving TZIDs the file names but does not define. */
function instant(time: ICAL.Time | null, tzid: string | null): string | null {
  if (!time) {
    return null;
  }
  // ical.js types `zone` as always set, but times parsed without a TZID can lack one.
  const zone = time.zone as ICAL.Timezone | undefined;
  const floating = !zone || zone.tzid === 'floating';
  // Undefined TZIDs: IANA names as they are, Windows names (Outlook, Exchange) through CLDR's map.
  const resolved = floating ? resolveTimeZone(tzid) : null;
  if (resolved) {
    return zonedToUtc(time.toString(), resolved).toISOString();
  }
  return time.toJSDate().toISOString();
}

function dateOnly(time: ICAL.Time | null): string | null {
  return time ? time.toString().slice(0, 10) : null;
}

function statusOf(raw: unknown, method: string | null): IcsEvent['status'] {
  const s = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (s === 'CANCELLED' || method === 'CANCEL') {
    return 'cancelled';
  }
  return s === 'TENTATIVE' ? 'tentative' : 'confirmed';
}

export function parseIcs(text: string): IcsCalendar {
  try {
    return parseUnchecked(text);
  } catch (err) {
    // ical.js can throw plain TypeErrors on malformed input; callers get one error class.
    throw err instanceof IcsError
      ? err
      : new IcsError(`unparseable iCalendar: ${(err as Error).message}`);
  }
}

/**
 * Lenient repairs real calendars need: a byte-order mark; a bare date in a date-time property
 * (`DTSTART:20041225`, which several exporters write) read as the all-day date it means; a quoted
 * TZID whose closing quote swallowed the value (`TZID="W. Europe Standard Time:2020…"`, seen from
 * Exchange); spaces inside RRULE lists (`BYDAY=MO, TU`).
 */
function repair(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/;TZID="([^":\r\n]+):([^"\r\n]*)"\r?$/gim, ';TZID="$1":$2')
    .replace(/^(RRULE:[^\r\n]*)$/gim, (line) => line.replace(/,\s+/g, ','))
    .replace(
      /^((?:DTSTART|DTEND|RECURRENCE-ID|EXDATE|RDATE)(?:;(?![^:]*VALUE=)[^:\r\n]*)?):(\d{8})\r?$/gim,
      '$1;VALUE=DATE:$2',
    );
}

function parseUnchecked(text: string): IcsCalendar {
  let roots: ICAL.Component[];
  try {
    const jcal = ICAL.parse(repair(text)) as unknown[];
    // Several VCALENDARs in one file parse to an array of components.
    roots = (Array.isArray(jcal[0]) ? (jcal as unknown[][]) : [jcal]).map(
      (c) => new ICAL.Component(c),
    );
  } catch (err) {
    throw new IcsError(`not iCalendar: ${(err as Error).message}`);
  }
  const calendars = roots.flatMap((r) =>
    r.name === 'vcalendar' ? [r] : r.getAllSubcomponents('vcalendar'),
  );
  if (calendars.length === 0) {
    throw new IcsError('no VCALENDAR');
  }
  const events: IcsEvent[] = [];
  let method: string | null = null;
  for (const cal of calendars) {
    const m = cal.getFirstPropertyValue('method');
    method ??= typeof m === 'string' ? m.toUpperCase() : null;
    for (const vtz of cal.getAllSubcomponents('vtimezone')) {
      try {
        ICAL.TimezoneService.register(vtz);
      } catch {
        // A broken VTIMEZONE: its TZID falls back to the runtime's zone data, if it knows it.
      }
    }
    for (const vevent of cal.getAllSubcomponents('vevent')) {
      try {
        const event = new ICAL.Event(vevent);
        const startProp = vevent.getFirstProperty('dtstart');
        const endProp = vevent.getFirstProperty('dtend');
        const tzOf = (p: ICAL.Property | null) => {
          const v = p?.getParameter('tzid');
          return typeof v === 'string' ? v : null;
        };
        // Replies and cancellations may carry no DTSTART; ical.js then throws computing the end.
        const start = (vevent.getFirstPropertyValue('dtstart') as ICAL.Time | null) ?? null;
        const end = start ? ((event.endDate as ICAL.Time | null) ?? start) : null;
        const allDay = start?.isDate ?? false;
        const rrule = vevent.getFirstPropertyValue('rrule');
        const recurrenceId = vevent.getFirstPropertyValue('recurrence-id');
        events.push({
          uid: event.uid || null,
          recurrenceId:
            recurrenceId instanceof ICAL.Time
              ? instant(recurrenceId, tzOf(vevent.getFirstProperty('recurrence-id')))
              : null,
          summary: event.summary || '',
          status: statusOf(vevent.getFirstPropertyValue('status'), method),
          sequence: Number(vevent.getFirstPropertyValue('sequence') ?? 0) || 0,
          allDay,
          startsAt: allDay ? null : instant(start, tzOf(startProp)),
          endsAt: allDay ? null : instant(end, tzOf(endProp) ?? tzOf(startProp)),
          startDate: allDay ? dateOnly(start) : null,
          endDate: allDay ? dateOnly(end) : null,
          organizer: mailto(vevent.getFirstPropertyValue('organizer')),
          attendees: vevent.getAllProperties('attendee').flatMap((p) => {
            const email = mailto(p.getFirstValue());
            if (!email) {
              return [];
            }
            const param = (n: string) => {
              const v = p.getParameter(n);
              return typeof v === 'string' ? v : '';
            };
            return [
              {
                email,
                name: param('cn'),
                partstat: param('partstat').toUpperCase() || 'NEEDS-ACTION',
                role: param('role').toUpperCase() || 'REQ-PARTICIPANT',
              },
            ];
          }),
          recurrenceRule: rrule ? String(rrule) : null,
        });
      } catch (err) {
        throw new IcsError(`bad VEVENT: ${(err as Error).message}`);
      }
    }
  }
  return { method, events };
}
