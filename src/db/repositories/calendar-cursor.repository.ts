import { z } from 'zod';
import { timestamptz } from '../columns.ts';
import type { CalendarCursor } from '../entities/calendar-event.entity.ts';
import { queryRow, run, type Db } from '../sql.ts';

/**
 * A calendar's checkpoint (calendar_cursor): its sync token or delta link, the page of a listing
 * in progress, the full round that listing belongs to and the window it covers. Its own row per
 * calendar, so the calendar job never overwrites the mail job's state.
 */
export type CursorRow = Omit<CalendarCursor, 'updatedAt'>;

const cursorRow = z.object({
  sync_token: z.string().nullable(),
  page_token: z.string().nullable(),
  round_id: z.string().nullable(),
  window_start: timestamptz.nullable(),
  window_end: timestamptz.nullable(),
  full_syncs: z.number(),
  last_synced_at: timestamptz.nullable(),
  last_error: z.string().nullable(),
});

/** The calendar's cursor, or a fresh one (nothing synced yet) when it has no row. */
export async function loadCalendarCursor(
  db: Db,
  mailboxId: string,
  calendarId: string,
): Promise<CursorRow> {
  const row = await queryRow(
    db,
    cursorRow,
    `select sync_token, page_token, round_id, window_start, window_end, full_syncs, last_synced_at,
            last_error
       from calendar_cursor where mailbox_id = ? and calendar_id = ?`,
    [mailboxId, calendarId],
  );
  return {
    mailboxId,
    calendarId,
    syncToken: row?.sync_token ?? null,
    pageToken: row?.page_token ?? null,
    roundId: row?.round_id ?? null,
    windowStart: row?.window_start ?? null,
    windowEnd: row?.window_end ?? null,
    fullSyncs: row?.full_syncs ?? 0,
    lastSyncedAt: row?.last_synced_at ?? null,
    lastError: row?.last_error ?? null,
  };
}

export async function saveCalendarCursor(db: Db, c: CursorRow): Promise<void> {
  await run(
    db,
    `insert into calendar_cursor (mailbox_id, calendar_id, sync_token, page_token, round_id,
       window_start, window_end, full_syncs, last_synced_at, last_error, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (mailbox_id, calendar_id) do update set
       sync_token = excluded.sync_token, page_token = excluded.page_token,
       round_id = excluded.round_id, window_start = excluded.window_start,
       window_end = excluded.window_end, full_syncs = excluded.full_syncs,
       last_synced_at = excluded.last_synced_at, last_error = excluded.last_error,
       updated_at = now()`,
    [
      c.mailboxId,
      c.calendarId,
      c.syncToken,
      c.pageToken,
      c.roundId,
      c.windowStart?.toISOString() ?? null,
      c.windowEnd?.toISOString() ?? null,
      c.fullSyncs,
      c.lastSyncedAt?.toISOString() ?? null,
      c.lastError,
    ],
  );
}
