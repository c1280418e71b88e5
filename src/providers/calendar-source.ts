/**
 * The narrow port a calendar provider adapter implements for sync. Events arrive already mapped
 * to provider-independent data with UTC instants (mappers are pure and live beside each
 * adapter); cursors are opaque strings the sync only checkpoints. Methods throw ProviderError;
 * an expired cursor is CURSOR_INVALID, answered by a full listing.
 */
export type CalendarEventStatus = 'confirmed' | 'tentative' | 'cancelled';

export type CalendarResponse = 'needsAction' | 'accepted' | 'declined' | 'tentative';

export interface CalendarPerson {
  email: string;
  name: string;
}

export interface CalendarAttendee extends CalendarPerson {
  responseStatus: CalendarResponse;
  optional: boolean;
  /** A room or piece of equipment, never a person. */
  resource: boolean;
}

export interface CalendarEventData {
  providerEventId: string;
  icalUid: string | null;
  /** single, one instance of a series (occurrence or exception), or the series itself. */
  kind: 'single' | 'instance' | 'master';
  /** The series an instance belongs to (Google recurringEventId, Graph seriesMasterId). */
  seriesId: string | null;
  /** For an instance: the start it has in the series (before any move). */
  originalStart: Date | null;
  status: CalendarEventStatus;
  title: string;
  description: string;
  location: string;
  allDay: boolean;
  /** UTC instants; for all-day events midnight UTC of startDate/endDate. */
  startsAt: Date | null;
  endsAt: Date | null;
  /** All-day events only: yyyy-mm-dd, end exclusive. */
  startDate: string | null;
  endDate: string | null;
  /** The zone the organizer's client scheduled in (IANA), when the provider says. */
  timeZone: string | null;
  organizer: CalendarPerson | null;
  attendees: CalendarAttendee[];
  conferenceUrl: string | null;
  recurrence: string[];
  providerUpdatedAt: Date | null;
}

export type CalendarChange =
  | { type: 'upsert'; event: CalendarEventData }
  /** Gone from the calendar (deleted, or an organizer's cancellation in Outlook). */
  | { type: 'removed'; providerEventId: string };

export interface CalendarPage {
  changes: CalendarChange[];
  /** Continue this listing with it (checkpointed). */
  nextPageToken: string | null;
  /** On the last page: the cursor for the next incremental round. */
  nextSyncToken: string | null;
}

/** Bounds of a windowed listing (Graph calendarView); unbounded providers ignore them. */
export interface CalendarWindow {
  start: Date;
  end: Date;
}

export interface CalendarSource {
  /** Calendars to sync (Google: configured ids, `primary` by default; Graph v1.0: the primary). */
  readonly calendarIds: readonly string[];
  /** True when a full listing covers a time window only and must be redone as time passes. */
  readonly windowed: boolean;
  /**
   * A full listing when `syncToken` is null (then `window` applies to windowed sources),
   * incremental otherwise; `pageToken` continues either.
   */
  listEvents(
    calendarId: string,
    cursor: { syncToken: string | null; pageToken: string | null },
    window: CalendarWindow,
  ): Promise<CalendarPage>;
}
