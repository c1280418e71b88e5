import { createHash } from 'node:crypto';
import { wallTime } from '../calendar/zoned-time.ts';
import type { StoredEvent } from '../db/repositories/calendar-event.repository.ts';
import type { CalendarChange, CalendarEventData } from '../providers/calendar-source.ts';

/**
 * A recurring series is one meeting for activities (product.md), while both providers list its
 * occurrences one by one (Google with singleEvents, Graph's calendarView). Pure helpers that
 * tell, for one page, what a change of an occurrence is about: the occurrence alone or the
 * whole series.
 */

/** What these helpers read of a page (plan-calendar-page.ts `PageChanges`). */
interface SeriesPage {
  latest: ReadonlyMap<string, CalendarChange>;
  removedSeries: readonly string[];
}

/**
 * An occurrence moved off its slot in the series changed on its own (Google has no exception flag
 * in a singleEvents listing, and Graph's `exception` type is not carried past the mapper; a move
 * is what both show alike). Its updates are its own; any other occurrence's change is the series'.
 */
export function changedOnItsOwn(event: CalendarEventData): boolean {
  return (
    event.kind === 'instance' &&
    event.originalStart !== null &&
    event.startsAt !== null &&
    event.originalStart.getTime() !== event.startsAt.getTime()
  );
}

/**
 * What a series-wide change looks like on any one occurrence: the wall-clock time of day in the
 * series' zone (the same across a DST change), the duration and the people. Every occurrence of
 * a series edited as a whole gives the same value, so the update is logged once.
 */
export function seriesFingerprint(event: CalendarEventData): string {
  const people = [event.organizer?.email ?? '', ...event.attendees.map((a) => a.email)]
    .filter(Boolean)
    .sort();
  const start = event.startsAt;
  const timeOfDay =
    event.allDay || !start ? null : wallTime(start, event.timeZone ?? 'UTC').slice(11);
  const duration = start && event.endsAt ? event.endsAt.getTime() - start.getTime() : null;
  return createHash('sha1')
    .update(JSON.stringify(['series', timeOfDay, duration, event.allDay, [...new Set(people)]]))
    .digest('hex');
}

/**
 * The series a page may cancel as a whole: those it names as removed (Graph's `@removed` on a
 * master, Google sending only the series' id) and the series of the instances it cancels
 * (Google sends a deleted series as one tombstone per instance).
 */
export function touchedSeries(
  page: SeriesPage,
  before: ReadonlyMap<string, StoredEvent>,
): string[] {
  const series = new Set(page.removedSeries);
  for (const [id, change] of page.latest) {
    if (change.type === 'removed') {
      const seriesId = before.get(id)?.recurring_event_id;
      if (seriesId) {
        series.add(seriesId);
      }
    } else if (change.event.status === 'cancelled' && change.event.seriesId) {
      series.add(change.event.seriesId);
    }
  }
  return [...series].sort();
}

/**
 * The series this page cancels as a whole: named as removed, or every live stored instance is
 * cancelled or removed by the page and the page brings no live instance of it. Their
 * cancellations are one per person for the series, not one per occurrence. (A series deleted
 * across two pages is only seen whole on the page that cancels its last live instance; the
 * instances on the page before count one by one.)
 */
export function cancelledSeries(
  page: SeriesPage,
  liveInstances: readonly StoredEvent[],
): Set<string> {
  const cancelledNow = new Set<string>();
  const liveInPage = new Set<string>();
  for (const [id, change] of page.latest) {
    if (change.type === 'removed' || change.event.status === 'cancelled') {
      cancelledNow.add(id);
    } else if (change.event.seriesId) {
      liveInPage.add(change.event.seriesId);
    }
  }
  const out = new Set<string>();
  const bySeries = new Map<string, StoredEvent[]>();
  for (const row of liveInstances) {
    if (row.recurring_event_id) {
      bySeries.set(row.recurring_event_id, [...(bySeries.get(row.recurring_event_id) ?? []), row]);
    }
  }
  for (const [seriesId, rows] of bySeries) {
    if (
      page.removedSeries.includes(seriesId) ||
      (!liveInPage.has(seriesId) && rows.every((r) => cancelledNow.has(r.provider_event_id)))
    ) {
      out.add(seriesId);
    }
  }
  return out;
}

/**
 * Series rescheduled as a whole: the page brings new instances of a series (ids it never stored)
 * and cancels stored live ones of the same series. Google does this when a whole series moves:
 * an instance's id carries its original start, so every instance gets a new id and the old ones
 * come back cancelled. That is one change of one meeting, not cancelled occurrences: the new
 * instances take a cancelled sibling's stored state as their prior (one MEETING_UPDATED for the
 * series), and the old ones are retired without activities. Returns the prior per series.
 */
export function rescheduledSeries(
  page: SeriesPage,
  before: ReadonlyMap<string, StoredEvent>,
  liveInstances: readonly StoredEvent[],
): Map<string, StoredEvent> {
  const fresh = new Set<string>();
  const cancelledNow = new Set<string>();
  for (const [id, change] of page.latest) {
    if (change.type === 'removed' || change.event.status === 'cancelled') {
      cancelledNow.add(id);
    } else if (change.event.kind === 'instance' && change.event.seriesId && !before.has(id)) {
      fresh.add(change.event.seriesId);
    }
  }
  const out = new Map<string, StoredEvent>();
  for (const row of liveInstances) {
    const seriesId = row.recurring_event_id;
    if (seriesId && fresh.has(seriesId) && cancelledNow.has(row.provider_event_id)) {
      if (!out.has(seriesId)) {
        out.set(seriesId, row);
      }
    }
  }
  return out;
}
