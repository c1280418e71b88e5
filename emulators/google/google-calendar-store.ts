import type { calendar_v3 } from '@googleapis/calendar';
import { randomBytes } from 'node:crypto';
import { zonedInstant, offsetDateTime } from '../shared/time-zone.ts';
import { expandSeries, instanceId } from './google-calendar-recurrence.ts';

/**
 * In-memory Google Calendar of the emulator (provider-apis.md §B): calendars per user (`primary`
 * is the user's own), events as Event JSON, and a change sequence per event so a sync token can
 * name "everything after this point". Deleting keeps a tombstone (status `cancelled`), as Google
 * does; expiring a calendar's tokens bumps its generation, and every older token answers 410.
 */
export type EventJson = calendar_v3.Schema$Event;

export interface StoredCalendar {
  id: string;
  events: Map<string, EventJson>;
  /** Event id → sequence number of its last change. */
  changes: Map<string, number>;
  generation: number;
}

/** A listed item and its sort key (start instant, then id), which page tokens resume after. */
export interface ListedEvent {
  event: EventJson;
  at: number;
}

export interface ListOptions {
  singleEvents: boolean;
  includeCancelled: boolean;
  /** Incremental: changes after this sequence number (and up to `upTo`). */
  since: number | null;
  upTo: number;
  timeMin: Date | null;
  timeMax: Date | null;
}

/** How far ahead an unbounded series is expanded, and at most how many instances. */
const EXPAND_YEARS = 2;
const EXPAND_MAX = 1000;

const newId = () =>
  [...randomBytes(16)].map((b) => '0123456789abcdefghijklmnopqrstuv'[b % 32] ?? '0').join('');

function instant(t: calendar_v3.Schema$EventDateTime | undefined): Date | null {
  if (t?.date) {
    return new Date(`${t.date}T00:00:00Z`);
  }
  if (!t?.dateTime) {
    return null;
  }
  return /(?:Z|[+-]\d{2}:\d{2})$/i.test(t.dateTime)
    ? new Date(t.dateTime)
    : zonedInstant(t.dateTime, t.timeZone ?? 'UTC');
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** What Google guarantees for a deleted event or a cancelled instance (§B.3). */
function tombstone(e: EventJson): EventJson {
  return {
    kind: 'calendar#event',
    ...(e.etag ? { etag: e.etag } : {}),
    ...(e.id ? { id: e.id } : {}),
    status: 'cancelled',
    ...(e.recurringEventId ? { recurringEventId: e.recurringEventId } : {}),
    ...(e.originalStartTime ? { originalStartTime: e.originalStartTime } : {}),
  };
}

export class GoogleCalendarStore {
  private readonly users = new Map<string, Map<string, StoredCalendar>>();
  private seq = 0;

  calendar(email: string, calendarId: string): StoredCalendar {
    const user = email.toLowerCase();
    const id = calendarId === 'primary' ? user : calendarId.toLowerCase();
    let calendars = this.users.get(user);
    if (!calendars) {
      calendars = new Map();
      this.users.set(user, calendars);
    }
    let cal = calendars.get(id);
    if (!cal) {
      cal = { id, events: new Map(), changes: new Map(), generation: 1 };
      calendars.set(id, cal);
    }
    return cal;
  }

  calendarIds(email: string): string[] {
    this.calendar(email, 'primary');
    return [...(this.users.get(email.toLowerCase())?.keys() ?? [])];
  }

  currentSeq(): number {
    return this.seq;
  }

  private touch(cal: StoredCalendar, event: EventJson): EventJson {
    const id = event.id ?? newId();
    this.seq++;
    const stored = { ...event, id, etag: `"${String(Date.now())}${String(this.seq)}"` };
    cal.events.set(id, stored);
    cal.changes.set(id, this.seq);
    return stored;
  }

  /**
   * Creates or updates (by id) an event; an update bumps `sequence`, `updated` and the etag. A
   * series whose rule or start changed leaves tombstones for the instances it no longer has, so
   * incremental sync reports them cancelled, as Google does.
   */
  upsertEvent(email: string, calendarId: string, partial: EventJson): EventJson {
    const cal = this.calendar(email, calendarId);
    const previous = partial.id ? cal.events.get(partial.id) : undefined;
    const before = previous?.recurrence?.length ? this.instancesOf(cal, previous) : [];
    const stored = this.write(email, cal, partial, previous);
    if (before.length > 0) {
      const kept = new Set(this.instancesOf(cal, stored).map((i) => i.id));
      for (const gone of before.filter((i) => !kept.has(i.id) && !cal.events.has(i.id ?? ''))) {
        this.touch(cal, { ...gone, status: 'cancelled', updated: new Date().toISOString() });
      }
    }
    return stored;
  }

  private write(
    email: string,
    cal: StoredCalendar,
    partial: EventJson,
    previous: EventJson | undefined,
  ): EventJson {
    const user = email.toLowerCase();
    const now = new Date().toISOString();
    const id = partial.id ?? newId();
    const organizer = partial.organizer ?? previous?.organizer ?? { email: user };
    const organizerEmail = organizer.email?.toLowerCase() ?? user;
    return this.touch(cal, {
      kind: 'calendar#event',
      status: 'confirmed',
      created: previous?.created ?? now,
      htmlLink: `https://www.google.com/calendar/event?eid=${id}`,
      iCalUID: `${id}@google.com`,
      eventType: 'default',
      ...previous,
      ...partial,
      id,
      updated: now,
      sequence: previous ? (previous.sequence ?? 0) + 1 : (partial.sequence ?? 0),
      organizer: { ...organizer, self: organizerEmail === user },
      creator: partial.creator ?? previous?.creator ?? { email: organizerEmail },
      ...(partial.attendees
        ? {
            attendees: partial.attendees.map((a) => ({
              responseStatus: 'needsAction',
              ...a,
              ...(a.email?.toLowerCase() === user ? { self: true } : {}),
              ...(a.email?.toLowerCase() === organizerEmail ? { organizer: true } : {}),
            })),
          }
        : {}),
    });
  }

  /** Deletes an event (a series with all its instances): a tombstone stays for incremental sync. */
  deleteEvent(email: string, calendarId: string, id: string): boolean {
    const cal = this.calendar(email, calendarId);
    const event = cal.events.get(id);
    if (!event || event.status === 'cancelled') {
      return false;
    }
    this.touch(cal, { ...event, status: 'cancelled', updated: new Date().toISOString() });
    return true;
  }

  /** Cancels one occurrence of a live series (an exception with status `cancelled`). */
  cancelInstance(
    email: string,
    calendarId: string,
    masterId: string,
    originalStart: string,
  ): EventJson | null {
    const cal = this.calendar(email, calendarId);
    const master = cal.events.get(masterId);
    const at = Date.parse(originalStart);
    const instance = master
      ? this.instancesOf(cal, master).find((i) => instant(i.originalStartTime)?.getTime() === at)
      : undefined;
    if (!instance) {
      return null;
    }
    return this.touch(cal, { ...instance, status: 'cancelled', updated: new Date().toISOString() });
  }

  expireSyncTokens(email: string, calendarId: string): void {
    this.calendar(email, calendarId).generation++;
  }

  /** A series' occurrences as instances, each replaced by its stored exception if there is one. */
  private instancesOf(cal: StoredCalendar, master: EventJson): EventJson[] {
    const start = master.start ?? {};
    const startAt = instant(master.start);
    const endAt = instant(master.end);
    if (!master.id || !startAt || !endAt) {
      return [];
    }
    const zone = start.timeZone ?? 'UTC';
    const durationMs = endAt.getTime() - startAt.getTime();
    const until = new Date(Date.now() + EXPAND_YEARS * 365 * 86_400_000);
    const base: EventJson = { ...master };
    delete base.recurrence;
    // Exceptions are found by instance id, or by series and original start (an exception stored
    // under an id of its own).
    const byOriginalStart = new Map<number, EventJson>();
    for (const e of cal.events.values()) {
      const at = e.recurringEventId === master.id ? instant(e.originalStartTime) : null;
      if (at) {
        byOriginalStart.set(at.getTime(), e);
      }
    }
    return expandSeries(master.recurrence ?? [], start, { until, max: EXPAND_MAX }).map((o) => {
      const id = instanceId(master.id ?? '', o);
      const exception = cal.events.get(id) ?? byOriginalStart.get(o.start.getTime());
      if (exception) {
        // Deleting a series deletes its exceptions too.
        return master.status === 'cancelled' ? { ...exception, status: 'cancelled' } : exception;
      }
      const startJson: calendar_v3.Schema$EventDateTime = o.date
        ? { date: o.date }
        : { dateTime: offsetDateTime(o.start, zone), timeZone: zone };
      const endJson: calendar_v3.Schema$EventDateTime = o.date
        ? { date: addDays(o.date, Math.round(durationMs / 86_400_000)) }
        : {
            dateTime: offsetDateTime(new Date(o.start.getTime() + durationMs), zone),
            timeZone: zone,
          };
      return {
        ...base,
        id,
        recurringEventId: master.id,
        originalStartTime: startJson,
        start: startJson,
        end: endJson,
        ...(master.status === 'cancelled' ? { status: 'cancelled' } : {}),
      };
    });
  }

  /** The items of a listing (full or incremental), ordered by start then id. */
  list(cal: StoredCalendar, o: ListOptions): ListedEvent[] {
    // Paging asks for the same listing again and again; nothing changed, nothing to recompute.
    const key = `${cal.id}|${String(cal.generation)}|${String(this.seq)}|${JSON.stringify(o)}`;
    if (this.lastListing?.key !== key) {
      this.lastListing = { key, items: this.compute(cal, o) };
    }
    return this.lastListing.items;
  }

  private lastListing: { key: string; items: ListedEvent[] } | null = null;

  private compute(cal: StoredCalendar, o: ListOptions): ListedEvent[] {
    const changedAfter = (id: string | null | undefined) => {
      const at = cal.changes.get(id ?? '') ?? 0;
      // Changes made while an incremental round pages are left for the next round.
      return o.since === null || (at > o.since && at <= o.upTo);
    };
    const out: EventJson[] = [];
    const emit = (event: EventJson, changed: boolean) => {
      if (!changed) {
        return;
      }
      if (event.status === 'cancelled') {
        if (o.includeCancelled) {
          out.push(tombstone(event));
        }
        return;
      }
      const start = instant(event.start);
      const end = instant(event.end) ?? start;
      if (o.since === null && start && end) {
        if ((o.timeMin && end <= o.timeMin) || (o.timeMax && start >= o.timeMax)) {
          return;
        }
      }
      out.push(event);
    };
    for (const event of cal.events.values()) {
      const master = event.recurringEventId ? cal.events.get(event.recurringEventId) : undefined;
      if (master && o.singleEvents) {
        continue; // listed with its series below
      }
      if (event.recurrence?.length && o.singleEvents) {
        const seriesChanged = o.since === null || changedAfter(event.id);
        const listed = new Set<string>();
        for (const instance of this.instancesOf(cal, event)) {
          listed.add(instance.id ?? '');
          const own = cal.events.has(instance.id ?? '') && changedAfter(instance.id);
          emit(instance, seriesChanged || own);
        }
        // Tombstones of instances the series no longer has (it was shortened or moved).
        for (const stored of cal.events.values()) {
          if (stored.recurringEventId === event.id && !listed.has(stored.id ?? '')) {
            emit(stored, changedAfter(stored.id));
          }
        }
        continue;
      }
      emit(event, changedAfter(event.id));
    }
    return out
      .map((event) => ({
        event,
        at: instant(event.start ?? event.originalStartTime)?.getTime() ?? 0,
      }))
      .sort((a, b) => a.at - b.at || (a.event.id ?? '').localeCompare(b.event.id ?? ''));
  }
}
