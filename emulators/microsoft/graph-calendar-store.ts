import type { Event as GraphEvent, PatternedRecurrence } from '@microsoft/microsoft-graph-types';
import { createHash, randomUUID } from 'node:crypto';
import { localToUtc, resolveZone, wallClock } from '../shared/time-zone.ts';

/**
 * In-memory Outlook calendars of the Graph emulator (provider-apis.md §D.3). Events are stored as
 * Graph JSON with local `dateTime` + `timeZone` (IANA or Windows names, as Outlook writes them);
 * series masters are expanded into occurrences in their own zone (wall time fixed across DST),
 * exceptions replace their occurrence, and a change sequence per event lets delta tokens name
 * "after this point". An organizer's cancellation removes the event (and a series' occurrences)
 * from the calendar; `cancelEvent` is the other Outlook state, cancelled but still listed.
 */
export type EventJson = GraphEvent;

export interface GraphCalendar {
  events: Map<string, EventJson>;
  /** Event id → sequence of its last change; removed events keep theirs here too. */
  changes: Map<string, number>;
  removed: Map<string, EventJson>;
  generation: number;
}

/** `replaces`: the occurrence id an exception stands in for, when it has an id of its own. */
export type Instance = EventJson & { id: string; startAt: Date; endAt: Date; replaces?: string };

const DAY = 86_400_000;
const MAX_OCCURRENCES = 1000;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export const graphLocal = (wall: string) => `${wall.slice(0, 19)}.0000000`;

function instantOf(t: EventJson['start']): Date | null {
  if (!t?.dateTime) {
    return null;
  }
  return localToUtc(t.dateTime, t.timeZone ?? 'UTC');
}

const opaque = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Outlook UIDs are Global Object IDs (MS-OXOCAL §2.2.1.27): a class id, then four bytes of
 * instance date (two of year, one of month, one of day) that are zero for a single event or a
 * series and hold an occurrence's date on each occurrence, which is why Graph's `iCalUId` is
 * "different for each occurrence in a recurring series". A UID of another form (an invitation
 * from another system) gets the date appended, as before.
 */
const GOID_CLASS = '040000008200E00074C5B7101A82E008';

function occurrenceUid(seriesUid: string, date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!seriesUid.toUpperCase().startsWith(GOID_CLASS) || seriesUid.length < 40) {
    return `${seriesUid}${date.replaceAll('-', '')}`;
  }
  const hex = (n: number | undefined, width: number) =>
    (n ?? 0).toString(16).toUpperCase().padStart(width, '0');
  return `${GOID_CLASS}${hex(y, 4)}${hex(m, 2)}${hex(d, 2)}${seriesUid.slice(40)}`;
}

/** The dates a patterned recurrence produces (Graph's daily, weekly, absoluteMonthly). */
function recurrenceDates(recurrence: PatternedRecurrence, until: Date): string[] {
  const pattern = recurrence.pattern ?? {};
  const range = recurrence.range ?? {};
  const interval = Math.max(1, pattern.interval ?? 1);
  const startDate = range.startDate ?? '';
  const first = Date.parse(`${startDate}T00:00:00Z`);
  if (Number.isNaN(first)) {
    return [];
  }
  const end =
    range.type === 'endDate' && range.endDate ? Date.parse(`${range.endDate}T00:00:00Z`) : Infinity;
  const count = range.type === 'numbered' ? (range.numberOfOccurrences ?? 0) : MAX_OCCURRENCES;
  const days = new Set((pattern.daysOfWeek ?? []).map((d) => d.toLowerCase()));
  const out: string[] = [];
  for (let t = first; t <= end && t <= until.getTime() && out.length < count; t += DAY) {
    const day = new Date(t);
    const offsetDays = Math.round((t - first) / DAY);
    let hit = false;
    if (pattern.type === 'daily') {
      hit = offsetDays % interval === 0;
    } else if (pattern.type === 'weekly') {
      const week = Math.floor((offsetDays + new Date(first).getUTCDay()) / 7);
      hit = week % interval === 0 && days.has(WEEKDAYS[day.getUTCDay()] ?? '');
    } else if (pattern.type === 'absoluteMonthly') {
      const months =
        (day.getUTCFullYear() - new Date(first).getUTCFullYear()) * 12 +
        day.getUTCMonth() -
        new Date(first).getUTCMonth();
      hit = months % interval === 0 && day.getUTCDate() === (pattern.dayOfMonth ?? 1);
    }
    if (hit) {
      out.push(day.toISOString().slice(0, 10));
    }
  }
  return out;
}

/** An event change as change notifications see it. */
export type EventChange = { eventId: string; changeType: 'created' | 'updated' | 'deleted' };

export class GraphCalendarStore {
  private readonly mailboxes = new Map<string, GraphCalendar>();
  private seq = 0;
  private readonly listeners: ((email: string, change: EventChange) => void)[] = [];

  /** Calls `listener` after each event change (change notifications start there). */
  onChange(listener: (email: string, change: EventChange) => void): void {
    this.listeners.push(listener);
  }

  private notify(email: string, change: EventChange): void {
    for (const listener of this.listeners) {
      listener(email.toLowerCase(), change);
    }
  }

  calendar(email: string): GraphCalendar {
    const key = email.toLowerCase();
    let cal = this.mailboxes.get(key);
    if (!cal) {
      cal = { events: new Map(), changes: new Map(), removed: new Map(), generation: 1 };
      this.mailboxes.set(key, cal);
    }
    return cal;
  }

  currentSeq(): number {
    return this.seq;
  }

  /** Creates or updates (by id) an event; an update bumps changeKey and lastModifiedDateTime. */
  upsertEvent(email: string, partial: EventJson): EventJson & { id: string } {
    const cal = this.calendar(email);
    const id = partial.id ?? `AAMkAD${randomUUID().replaceAll('-', '')}`;
    const previous = cal.events.get(id);
    const now = new Date().toISOString();
    const stored: EventJson & { id: string } = {
      type: 'singleInstance',
      isAllDay: false,
      isCancelled: false,
      isOrganizer: true,
      isDraft: false,
      showAs: 'busy',
      createdDateTime: previous?.createdDateTime ?? now,
      iCalUId: `${GOID_CLASS}00000000${opaque(id).slice(0, 56).toUpperCase()}`,
      webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
      ...previous,
      ...partial,
      id,
      changeKey: opaque(`${id}:${String(this.seq + 1)}`).slice(0, 24),
      lastModifiedDateTime: now,
    };
    this.seq++;
    cal.events.set(id, stored);
    cal.changes.set(id, this.seq);
    cal.removed.delete(id);
    this.notify(email, { eventId: id, changeType: previous ? 'updated' : 'created' });
    return stored;
  }

  /**
   * Removes an event (a series with its occurrences and exceptions) from the calendar, or one
   * occurrence of a series by its id (`DELETE /me/events/{occurrence id}`): the series no longer
   * has it, and delta reports it `@removed`.
   */
  deleteEvent(email: string, id: string): boolean {
    const cal = this.calendar(email);
    const event = cal.events.get(id);
    if (!event) {
      const removed = this.deleteOccurrence(cal, id);
      if (removed) {
        // Outlook reports a removed occurrence as a change of its series.
        this.notify(email, { eventId: id.replace(/_\d{8}$/, ''), changeType: 'updated' });
      }
      return removed;
    }
    const gone = [
      id,
      ...[...cal.events.values()].filter((e) => e.seriesMasterId === id).map((e) => e.id ?? ''),
    ];
    for (const eventId of gone) {
      const e = cal.events.get(eventId);
      if (e) {
        this.seq++;
        cal.events.delete(eventId);
        cal.removed.set(eventId, e);
        cal.changes.set(eventId, this.seq);
        this.notify(email, { eventId, changeType: 'deleted' });
      }
    }
    return true;
  }

  private deleteOccurrence(cal: GraphCalendar, id: string): boolean {
    const masterId = id.replace(/_\d{8}$/, '');
    const master = cal.events.get(masterId);
    const far = new Date(Date.now() + 3 * 365 * DAY);
    const occurrence = master
      ? this.instances(cal, master, far).find((i) => i.id === id)
      : undefined;
    if (!occurrence) {
      return false;
    }
    this.seq++;
    cal.removed.set(id, { id, type: 'occurrence', seriesMasterId: masterId });
    cal.changes.set(id, this.seq);
    return true;
  }

  /** Cancelled but still in the calendar (`isCancelled`). */
  cancelEvent(email: string, id: string): EventJson | null {
    const event = this.calendar(email).events.get(id);
    return event ? this.upsertEvent(email, { ...event, isCancelled: true }) : null;
  }

  expireDelta(email: string): void {
    this.calendar(email).generation++;
  }

  /** A series' occurrences (and its exceptions in their place), or the event itself. */
  instances(cal: GraphCalendar, event: EventJson, until: Date): Instance[] {
    const startAt = instantOf(event.start);
    const endAt = instantOf(event.end) ?? startAt;
    if (!event.id || !startAt || !endAt) {
      return [];
    }
    if (event.type !== 'seriesMaster' || !event.recurrence) {
      return [{ ...event, id: event.id, startAt, endAt }];
    }
    const zone =
      resolveZone(event.recurrence.range?.recurrenceTimeZone) ??
      resolveZone(event.start?.timeZone) ??
      'UTC';
    const durationMs = endAt.getTime() - startAt.getTime();
    const timeOfDay = wallClock(startAt, zone).slice(11);
    const exceptions = [...cal.events.values()].filter(
      (e) => e.seriesMasterId === event.id && e.type === 'exception',
    );
    const base: EventJson = { ...event };
    delete base.recurrence;
    return recurrenceDates(event.recurrence, until).flatMap((date): Instance[] => {
      const occurrenceStart = localToUtc(`${date}T${timeOfDay}`, zone);
      const occurrenceEnd = new Date(occurrenceStart.getTime() + durationMs);
      const exception = exceptions.find(
        (e) => e.originalStart && Date.parse(e.originalStart) === occurrenceStart.getTime(),
      );
      const occurrenceId = `${event.id ?? ''}_${date.replaceAll('-', '')}`;
      if (cal.removed.has(occurrenceId)) {
        return [];
      }
      const iCalUId = occurrenceUid(event.iCalUId ?? event.id ?? '', date);
      if (exception?.id) {
        return [
          {
            ...exception,
            id: exception.id,
            iCalUId,
            ...(exception.id !== occurrenceId ? { replaces: occurrenceId } : {}),
            startAt: instantOf(exception.start) ?? occurrenceStart,
            endAt: instantOf(exception.end) ?? occurrenceEnd,
          },
        ];
      }
      const eventZone = event.start?.timeZone ?? 'UTC';
      const wallZone = resolveZone(eventZone) ?? 'UTC';
      return [
        {
          ...base,
          id: occurrenceId,
          type: 'occurrence',
          seriesMasterId: event.id,
          originalStart: occurrenceStart.toISOString(),
          iCalUId,
          start: {
            dateTime: graphLocal(wallClock(occurrenceStart, wallZone)),
            timeZone: eventZone,
          },
          end: { dateTime: graphLocal(wallClock(occurrenceEnd, wallZone)), timeZone: eventZone },
          startAt: occurrenceStart,
          endAt: occurrenceEnd,
        },
      ];
    });
  }
}
