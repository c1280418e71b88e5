import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { unseenInRound } from '../db/repositories/calendar-event.repository.ts';
import {
  emptyEventCounters,
  writeCalendarChanges,
  type EventWriteCounters,
} from '../ingest/write-calendar-events.ts';
import type { IngestTarget } from '../ingest/load-ingest-target.ts';
import type { Logger } from '../logger.ts';
import type { CalendarPage, CalendarSource, CalendarWindow } from '../providers/calendar-source.ts';
import { ProviderError } from '../providers/provider-error.ts';
import {
  loadCalendarCursor,
  saveCalendarCursor,
  type CursorRow,
} from '../db/repositories/calendar-cursor.repository.ts';

/**
 * Provider-agnostic calendar sync of one mailbox, calendar by calendar: a full listing (a "round",
 * checkpointed after every page) and then incremental rounds from the stored sync token / delta
 * link. An expired cursor (Google 410 fullSyncRequired, Graph 410 syncStateNotFound) starts a new
 * full round; at its end, events of that calendar the round did not see are retired (cancelled),
 * so a resync replaces the calendar's events without duplicating any. A windowed source (Graph
 * calendarView) gets a new round when the window has moved by a day; events outside the new
 * window stay on the timeline.
 */
export interface CalendarSyncDeps {
  em: EntityManager;
  source: CalendarSource;
  target: IngestTarget;
  log: Logger;
  window: { pastDays: number; futureDays: number };
  now?: () => Date;
}

export interface CalendarSyncSummary extends EventWriteCounters {
  calendars: number;
  pages: number;
  fullSyncs: number;
  resyncs: number;
  /** Calendars the provider does not have or we may not read; the mailbox's mail is unaffected. */
  unavailable: { calendarId: string; reason: string }[];
}

const DAY = 86_400_000;

export function emptyCalendarSummary(): CalendarSyncSummary {
  return {
    calendars: 0,
    pages: 0,
    ...emptyEventCounters(),
    fullSyncs: 0,
    resyncs: 0,
    unavailable: [],
  };
}

/** Whole UTC days, so the window (and with it the round) changes once a day at most. */
export function desiredWindow(now: Date, pastDays: number, futureDays: number): CalendarWindow {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  return { start: new Date(today - pastDays * DAY), end: new Date(today + futureDays * DAY) };
}

export async function runCalendarSync(deps: CalendarSyncDeps): Promise<CalendarSyncSummary> {
  const summary = emptyCalendarSummary();
  for (const calendarId of deps.source.calendarIds) {
    try {
      await syncCalendar(deps, calendarId, summary);
      summary.calendars++;
    } catch (err) {
      // A calendar that is not there (404) or not granted (403) is that calendar's state, not a
      // failure of the mailbox: it is recorded and shown, and the next run tries again.
      if (
        !(err instanceof ProviderError) ||
        (err.kind !== 'NOT_FOUND' && err.kind !== 'PERMANENT')
      ) {
        throw err;
      }
      deps.log.warn(
        { mailboxId: deps.target.mailboxId, calendarId, reason: err.message },
        'calendar unavailable',
      );
      summary.unavailable.push({ calendarId, reason: err.message });
      const cursor = await loadCalendarCursor(deps.em, deps.target.mailboxId, calendarId);
      await saveCalendarCursor(deps.em, { ...cursor, lastError: err.message });
    }
  }
  return summary;
}

async function syncCalendar(
  deps: CalendarSyncDeps,
  calendarId: string,
  summary: CalendarSyncSummary,
) {
  const { em, source, target } = deps;
  const now = deps.now?.() ?? new Date();
  const wanted = desiredWindow(now, deps.window.pastDays, deps.window.futureDays);
  const cursor = await loadCalendarCursor(em, target.mailboxId, calendarId);
  if (
    source.windowed &&
    cursor.syncToken &&
    cursor.windowStart?.getTime() !== wanted.start.getTime()
  ) {
    deps.log.info({ mailboxId: target.mailboxId, calendarId }, 'calendar window moved; new round');
    Object.assign(cursor, { syncToken: null, pageToken: null, roundId: null });
  }
  for (let attempt = 0; ; attempt++) {
    try {
      if (cursor.syncToken) {
        await incremental(deps, calendarId, cursor, summary);
      } else {
        await fullRound(deps, calendarId, cursor, wanted, summary);
      }
      return;
    } catch (err) {
      if (!(err instanceof ProviderError) || err.kind !== 'CURSOR_INVALID' || attempt > 0) {
        throw err;
      }
      deps.log.warn(
        { mailboxId: target.mailboxId, calendarId, reason: err.message },
        'calendar cursor expired; running a full resync',
      );
      summary.resyncs++;
      Object.assign(cursor, { syncToken: null, pageToken: null, roundId: null });
      await saveCalendarCursor(em, cursor);
    }
  }
}

async function fullRound(
  deps: CalendarSyncDeps,
  calendarId: string,
  cursor: CursorRow,
  wanted: CalendarWindow,
  summary: CalendarSyncSummary,
) {
  const { em, source } = deps;
  if (!cursor.roundId) {
    Object.assign(cursor, {
      roundId: randomUUID(),
      pageToken: null,
      windowStart: wanted.start,
      windowEnd: wanted.end,
    });
    await saveCalendarCursor(em, cursor);
  }
  const roundId = cursor.roundId ?? '';
  const window = { start: cursor.windowStart ?? wanted.start, end: cursor.windowEnd ?? wanted.end };
  const last = await pageThrough(deps, calendarId, cursor, window, roundId, summary);
  await retireUnseen(deps, calendarId, roundId, source.windowed ? window : null, summary);
  Object.assign(cursor, {
    syncToken: last.nextSyncToken,
    pageToken: null,
    roundId: null,
    fullSyncs: cursor.fullSyncs + 1,
    lastSyncedAt: new Date(),
    lastError: null,
  });
  await saveCalendarCursor(em, cursor);
  summary.fullSyncs++;
}

async function incremental(
  deps: CalendarSyncDeps,
  calendarId: string,
  cursor: CursorRow,
  summary: CalendarSyncSummary,
) {
  const window = { start: cursor.windowStart ?? new Date(0), end: cursor.windowEnd ?? new Date(0) };
  const last = await pageThrough(deps, calendarId, cursor, window, null, summary);
  Object.assign(cursor, {
    syncToken: last.nextSyncToken ?? cursor.syncToken,
    pageToken: null,
    lastSyncedAt: new Date(),
    lastError: null,
  });
  await saveCalendarCursor(deps.em, cursor);
}

/**
 * Lists from the cursor (its sync token, if any, and page token) to the last page, writing each
 * page and checkpointing the next page token; returns the last page.
 */
async function pageThrough(
  deps: CalendarSyncDeps,
  calendarId: string,
  cursor: CursorRow,
  window: CalendarWindow,
  roundId: string | null,
  summary: CalendarSyncSummary,
): Promise<CalendarPage> {
  const { em, source, target } = deps;
  for (;;) {
    const page = await source.listEvents(
      calendarId,
      { syncToken: cursor.syncToken, pageToken: cursor.pageToken },
      window,
    );
    add(summary, await writeCalendarChanges(em, target, calendarId, roundId, page.changes));
    summary.pages++;
    if (!page.nextPageToken) {
      return page;
    }
    cursor.pageToken = page.nextPageToken;
    await saveCalendarCursor(em, cursor);
  }
}

/** After a full round: what the calendar no longer lists is gone (within the window, if any). */
async function retireUnseen(
  deps: CalendarSyncDeps,
  calendarId: string,
  roundId: string,
  window: CalendarWindow | null,
  summary: CalendarSyncSummary,
) {
  const ids = await unseenInRound(deps.em, {
    mailboxId: deps.target.mailboxId,
    calendarId,
    roundId,
    window,
  });
  for (let i = 0; i < ids.length; i += 200) {
    const changes = ids
      .slice(i, i + 200)
      .map((providerEventId) => ({ type: 'removed' as const, providerEventId }));
    add(summary, await writeCalendarChanges(deps.em, deps.target, calendarId, roundId, changes));
  }
}

function add(summary: CalendarSyncSummary, counters: EventWriteCounters) {
  for (const key of Object.keys(counters) as (keyof EventWriteCounters)[]) {
    summary[key] += counters[key];
  }
}
